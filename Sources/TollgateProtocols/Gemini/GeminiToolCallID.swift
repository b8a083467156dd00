/// Gemini names function calls but (before Gemini 3) gives them no ids, and Gemini 3 attaches a
/// `thoughtSignature` to calls that must be sent back with them. Canonical tool calls carry only
/// an id, so the signature rides inside it: `<id>__ts__<signature>`. Clients echo ids verbatim,
/// so the signature survives a round trip through an OpenAI or Anthropic client.
enum GeminiToolCallID {
    static let separator = "__ts__"

    /// A stable id for the `index`-th call of a response (or of a conversation, for requests).
    /// The response id, when known, keeps ids unique across the turns of a conversation.
    static func synthesize(index: Int, responseID: String? = nil) -> String {
        guard let rid = responseID, !rid.isEmpty else { return "call_\(index)" }
        // Keep ids to [A-Za-z0-9_-]: Anthropic rejects anything else in tool_use ids.
        let safe = String(decoding: rid.utf8.prefix(24).map { b -> UInt8 in
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"): return b
            default: return UInt8(ascii: "_")
            }
        }, as: UTF8.self)
        return "call_\(safe)_\(index)"
    }

    static func embed(_ id: String, signature: String?) -> String {
        guard let s = signature, !s.isEmpty else { return id }
        return id + separator + s
    }

    /// Splits an id made by `embed` into the bare id and the signature.
    static func split(_ id: String) -> (id: String, signature: String?) {
        guard let r = id.firstRange(of: separator) else { return (id, nil) }
        return (String(id[..<r.lowerBound]), String(id[r.upperBound...]))
    }
}
