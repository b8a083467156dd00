import TollgateJSON

/// Responses `usage` ⇄ `Usage`: same conventions as canonical (input includes cached tokens,
/// output includes reasoning), only the names differ.
enum ResponsesUsage {
    static func decode(_ u: JSON) -> Usage {
        Usage(
            inputTokens: u["input_tokens"]?.int ?? 0,
            outputTokens: u["output_tokens"]?.int ?? 0,
            cachedInputTokens: u["input_tokens_details"]?["cached_tokens"]?.int ?? 0,
            reasoningTokens: u["output_tokens_details"]?["reasoning_tokens"]?.int ?? 0
        )
    }

    static func encode(_ u: Usage) -> JSON {
        [
            "input_tokens": JSON(u.inputTokens),
            "input_tokens_details": ["cached_tokens": JSON(u.cachedInputTokens)],
            "output_tokens": JSON(u.outputTokens),
            "output_tokens_details": ["reasoning_tokens": JSON(u.reasoningTokens)],
            "total_tokens": JSON(u.totalTokens),
        ]
    }
}
