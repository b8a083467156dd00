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
