/// `finishReason` ⇄ `StopReason`. Gemini says STOP whether the turn ended in text or in function
/// calls, so decoding needs to know whether the candidate called a function.
enum GeminiFinishReason {
    static let filtered: Set<String> = [
        "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "LANGUAGE",
    ]

    static func decode(_ raw: String, hasFunctionCall: Bool) -> StopReason {
        switch raw {
        case "STOP": return hasFunctionCall ? .toolUse : .endTurn
        case "MAX_TOKENS": return .maxTokens
        case _ where filtered.contains(raw): return .contentFilter
        default: return .other(raw)  // MALFORMED_FUNCTION_CALL, OTHER, FINISH_REASON_UNSPECIFIED, …
        }
    }

    static func encode(_ reason: StopReason) -> String {
        switch reason {
        case .endTurn, .toolUse, .stopSequence: return "STOP"
        case .maxTokens: return "MAX_TOKENS"
        case .contentFilter: return "SAFETY"
        // Keep Gemini's own values (a Gemini upstream's MALFORMED_FUNCTION_CALL); anything from
        // another protocol (Anthropic pause_turn) has no Gemini name.
        case .other(let raw): return raw.allSatisfy { $0.isUppercase || $0 == "_" } && !raw.isEmpty ? raw : "OTHER"
        }
    }
}
