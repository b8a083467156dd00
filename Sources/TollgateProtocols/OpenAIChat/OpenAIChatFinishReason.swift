/// `finish_reason` ⇄ `StopReason`. OpenAI has no word for "stopped on a stop sequence" or for
/// Anthropic's `pause_turn`; both become `stop`, the nearest thing its SDKs know.
enum OpenAIChatFinishReason {
    static func decode(_ s: String) -> StopReason {
        switch s {
        case "stop": return .endTurn
        case "length": return .maxTokens
        case "tool_calls", "function_call": return .toolUse
        case "content_filter": return .contentFilter
        default: return .other(s)
        }
    }

    static func encode(_ r: StopReason) -> String {
        switch r {
        case .endTurn, .stopSequence, .other: return "stop"
        case .maxTokens: return "length"
        case .toolUse: return "tool_calls"
        case .contentFilter: return "content_filter"
        }
    }
}
