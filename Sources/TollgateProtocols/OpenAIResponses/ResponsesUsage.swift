import TollgateJSON

/// Responses `usage` ⇄ `Usage`: same conventions as canonical (input includes cached tokens,
/// output includes reasoning), only the names differ.
enum ResponsesUsage {
    static func decode(_ u: JSON) -> Usage {
        Usage(
            inputTokens: u["input_tokens"]?.int ?? 0,
            outputTokens: u["output_tokens"]?.int ?? 0,
            cachedInputTokens: u["input_tokens_details"]?["cached_tokens"]?.int ?? 0,
            cacheCreationInputTokens: u["input_tokens_details"]?["cache_write_tokens"]?.int ?? 0,
            reasoningTokens: u["output_tokens_details"]?["reasoning_tokens"]?.int ?? 0
        )
    }

    /// Cache writes (Anthropic's) go in `input_tokens_details.cache_write_tokens`, only when
    /// there were some. `output_tokens_details.reasoning_tokens` is a required field here.
    static func encode(_ u: Usage) -> JSON {
        var details: JSONObject = ["cached_tokens": JSON(u.cachedInputTokens)]
        if u.cacheCreationInputTokens > 0 { details.append("cache_write_tokens", JSON(u.cacheCreationInputTokens)) }
        return [
            "input_tokens": JSON(u.inputTokens),
            "input_tokens_details": .object(details),
            "output_tokens": JSON(u.outputTokens),
            "output_tokens_details": ["reasoning_tokens": JSON(u.reasoningTokens)],
            "total_tokens": JSON(u.totalTokens),
        ]
    }
}
