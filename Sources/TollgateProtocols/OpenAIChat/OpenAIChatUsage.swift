import TollgateJSON

/// OpenAI `usage` ⇄ canonical. Canonical follows OpenAI's convention (prompt tokens include
/// cached ones, completion tokens include reasoning), so the numbers map one to one; OpenAI has
/// no cache-write count, so `cacheCreationInputTokens` is not written.
enum OpenAIChatUsage {
    static func decode(_ u: JSON?) -> Usage? {
        guard let u, u.object != nil else { return nil }
        return Usage(
            inputTokens: u["prompt_tokens"]?.int ?? 0,
            outputTokens: u["completion_tokens"]?.int ?? 0,
            cachedInputTokens: u["prompt_tokens_details"]?["cached_tokens"]?.int ?? 0,
            reasoningTokens: u["completion_tokens_details"]?["reasoning_tokens"]?.int ?? 0)
    }

    static func encode(_ u: Usage) -> JSON {
        [
            "prompt_tokens": JSON(u.inputTokens),
            "completion_tokens": JSON(u.outputTokens),
            "total_tokens": JSON(u.totalTokens),
            "prompt_tokens_details": ["cached_tokens": JSON(u.cachedInputTokens)],
            "completion_tokens_details": ["reasoning_tokens": JSON(u.reasoningTokens)],
        ]
    }
}
