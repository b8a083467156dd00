import TollgateJSON

/// OpenAI `usage` ⇄ canonical. Canonical follows OpenAI's convention (prompt tokens include
/// cached ones, completion tokens include reasoning), so the numbers map one to one. OpenAI has
/// no cache-write count: it goes out as `cache_creation_input_tokens` beside the others, where
/// LiteLLM's clients read it, and only when there were writes. `reasoning_tokens` is written
/// only when the provider counted some: a zero from a provider that reports none would look
/// measured.
enum OpenAIChatUsage {
    static func decode(_ u: JSON?) -> Usage? {
        guard let u, u.object != nil else { return nil }
        return Usage(
            inputTokens: u["prompt_tokens"]?.int ?? 0,
            outputTokens: u["completion_tokens"]?.int ?? 0,
            cachedInputTokens: u["prompt_tokens_details"]?["cached_tokens"]?.int ?? 0,
            cacheCreationInputTokens: u["cache_creation_input_tokens"]?.int ?? 0,
            reasoningTokens: u["completion_tokens_details"]?["reasoning_tokens"]?.int ?? 0)
    }

    static func encode(_ u: Usage) -> JSON {
        var o = JSONObject()
        o.append("prompt_tokens", JSON(u.inputTokens))
        o.append("completion_tokens", JSON(u.outputTokens))
        o.append("total_tokens", JSON(u.totalTokens))
        o.append("prompt_tokens_details", ["cached_tokens": JSON(u.cachedInputTokens)])
        if u.reasoningTokens > 0 { o.append("completion_tokens_details", ["reasoning_tokens": JSON(u.reasoningTokens)]) }
        if u.cacheCreationInputTokens > 0 { o.append("cache_creation_input_tokens", JSON(u.cacheCreationInputTokens)) }
        return .object(o)
    }
}
