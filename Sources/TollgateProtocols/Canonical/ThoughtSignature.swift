/// Gemini's `thoughtSignature` on an answer's text part travels in canonical form as an empty
/// signed thinking part, and reaches OpenAI-chat clients in `thinking_blocks`. It is marked as
/// Gemini's so that only the Gemini encoder puts it back (on the part after it) and Anthropic's,
/// which would reject a foreign signature, leaves it out. The mark survives the client's round
/// trip because the client sends the signature back verbatim.
public enum GeminiTextSignature {
    static let prefix = "gemini-text-signature:"

    public static func wrap(_ signature: String) -> String { prefix + signature }

    /// The Gemini signature inside `signature`, when it is one.
    public static func unwrap(_ signature: String) -> String? {
        signature.hasPrefix(prefix) ? String(signature.dropFirst(prefix.count)) : nil
    }
}

/// Anthropic's redacted thinking has no item of its own in the Responses API; it travels to a
/// Responses client as a reasoning item whose `encrypted_content` is the block's data, marked,
/// so that the item sent back in the next request becomes the redacted block again (and never
/// passes for a signed summary).
public enum RedactedThinkingMark {
    static let prefix = "redacted-thinking:"

    public static func wrap(_ data: String) -> String { prefix + data }

    /// The redacted block's data inside an `encrypted_content`, when it is one.
    public static func unwrap(_ content: String) -> String? {
        content.hasPrefix(prefix) ? String(content.dropFirst(prefix.count)) : nil
    }

    /// What a Responses reasoning item is in canonical form.
    static func part(summary: String, encrypted: String?) -> ContentPart {
        if let e = encrypted, let data = unwrap(e) { return .redactedThinking(data: data) }
        return .thinking(text: summary, signature: encrypted)
    }
}
