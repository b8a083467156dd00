/// `stop_reason` (+ `stop_sequence`) ⇄ `StopReason`.
enum AnthropicStopReason {
    static func decode(_ reason: String, sequence: String?) -> StopReason {
        switch reason {
        case "end_turn": return .endTurn
        case "max_tokens": return .maxTokens
        case "tool_use": return .toolUse
        case "stop_sequence": return .stopSequence(sequence)
        case "refusal": return .contentFilter
        default: return .other(reason)  // pause_turn, model_context_window_exceeded, …
        }
    }

    /// Values Anthropic's SDKs know; anything else from another protocol reads as `end_turn`.
    static let passedThrough: Set<String> = ["pause_turn", "model_context_window_exceeded"]

    static func encode(_ r: StopReason) -> (reason: String, sequence: String?) {
        switch r {
        case .endTurn: return ("end_turn", nil)
        case .maxTokens: return ("max_tokens", nil)
        case .toolUse: return ("tool_use", nil)
        case .stopSequence(let s): return ("stop_sequence", s)
        case .contentFilter: return ("refusal", nil)
        case .other(let s): return (passedThrough.contains(s) ? s : "end_turn", nil)
        }
    }
}
