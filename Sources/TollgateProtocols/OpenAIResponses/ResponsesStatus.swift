import TollgateJSON

/// A response's `status` and `incomplete_details.reason` ⇄ `StopReason`. Responses has no
/// stop reason as such: a finished answer is `completed` (tool calls or not), a cut-off one
/// `incomplete` with the reason.
enum ResponsesStatus {
    static func decode(_ body: JSON, hasFunctionCall: Bool) -> StopReason? {
        switch body["status"]?.string {
        case "completed": return hasFunctionCall ? .toolUse : .endTurn
        case "incomplete":
            switch body["incomplete_details"]?["reason"]?.string {
            case "max_output_tokens": return .maxTokens
            case "content_filter": return .contentFilter
            case let r: return .other(r ?? "incomplete")
            }
        case let s?: return .other(s)  // in_progress, cancelled, queued
        case nil: return nil
        }
    }

    /// (status, incomplete_details.reason)
    static func encode(_ s: StopReason?) -> (String, String?) {
        switch s {
        case .maxTokens?: return ("incomplete", "max_output_tokens")
        case .contentFilter?: return ("incomplete", "content_filter")
        default: return ("completed", nil)
        }
    }
}
