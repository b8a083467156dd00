import TollgateJSON

/// `usageMetadata` ⇄ `Usage`. Gemini counts thoughts apart from candidates; canonical output
/// includes reasoning (OpenAI's convention), so decoding adds them and encoding subtracts.
enum GeminiUsage {
    static func decode(_ m: JSON) -> Usage {
        let thoughts = m.gemini("thoughtsTokenCount", "thoughts_token_count")?.int ?? 0
        let candidates = m.gemini("candidatesTokenCount", "candidates_token_count")?.int ?? 0
        // Tokens of tool-use prompts (grounding results) are prompt tokens the caller pays for.
        let toolPrompt = m.gemini("toolUsePromptTokenCount", "tool_use_prompt_token_count")?.int ?? 0
        return Usage(
            inputTokens: (m.gemini("promptTokenCount", "prompt_token_count")?.int ?? 0) + toolPrompt,
            outputTokens: candidates + thoughts,
            cachedInputTokens: m.gemini("cachedContentTokenCount", "cached_content_token_count")?.int ?? 0,
            reasoningTokens: thoughts
        )
    }

    static func encode(_ u: Usage) -> JSON {
        var o = JSONObject()
        o.append("promptTokenCount", JSON(u.inputTokens))
        o.append("candidatesTokenCount", JSON(max(0, u.outputTokens - u.reasoningTokens)))
        o.append("totalTokenCount", JSON(u.totalTokens))
        if u.cachedInputTokens > 0 { o.append("cachedContentTokenCount", JSON(u.cachedInputTokens)) }
        if u.reasoningTokens > 0 { o.append("thoughtsTokenCount", JSON(u.reasoningTokens)) }
        return .object(o)
    }
}
