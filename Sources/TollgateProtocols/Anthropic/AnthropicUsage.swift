import TollgateJSON

/// Anthropic `usage` ⇄ canonical. Anthropic's `input_tokens` excludes cache reads and writes;
/// canonical counts all prompt tokens (OpenAI's way), so decoding adds them in and encoding
/// takes them out again. Anthropic does not report reasoning tokens apart.
enum AnthropicUsage {
    static func decode(_ u: JSON?) -> Usage? {
        guard let u, u.object != nil else { return nil }
        let read = u["cache_read_input_tokens"]?.int ?? 0
        let created = u["cache_creation_input_tokens"]?.int ?? 0
        return Usage(
            inputTokens: (u["input_tokens"]?.int ?? 0) + read + created,
            outputTokens: u["output_tokens"]?.int ?? 0,
            cachedInputTokens: read,
            cacheCreationInputTokens: created)
    }

    static func encode(_ u: Usage) -> JSON {
        var o = JSONObject()
        o.append("input_tokens", JSON(uncachedInput(u)))
        o.append("cache_creation_input_tokens", JSON(u.cacheCreationInputTokens))
        o.append("cache_read_input_tokens", JSON(u.cachedInputTokens))
        o.append("output_tokens", JSON(u.outputTokens))
        return .object(o)
    }

    static func uncachedInput(_ u: Usage) -> Int {
        max(0, u.inputTokens - u.cachedInputTokens - u.cacheCreationInputTokens)
    }
}
