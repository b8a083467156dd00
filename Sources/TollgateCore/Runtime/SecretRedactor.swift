import NIOCore

/// Removes the gateway's secrets from text a provider sent back: an upstream error may quote
/// the key it was given ("Incorrect API key provided: sk-…"), and that text is relayed, logged
/// and stored. Built once per config load; used only on error answers, which are rare.
public struct SecretRedactor: Sendable {
    /// Longest first, so a key that contains another is replaced whole.
    private let secrets: [[UInt8]]
    static let replacement = Array("[redacted]".utf8)
    /// Shorter strings are not treated as secrets: they would match ordinary words.
    static let minimumLength = 8

    public init(_ secrets: some Sequence<String>) {
        var unique = Set<String>()
        for s in secrets where s.utf8.count >= Self.minimumLength { unique.insert(s) }
        self.secrets = unique.map { Array($0.utf8) }.sorted { $0.count > $1.count }
    }

    /// Replaces every occurrence of a known secret, and of `extra` (the key this call sent).
    public func redact(_ buffer: inout ByteBuffer, also extra: String? = nil) {
        var list = secrets
        if let extra, extra.utf8.count >= Self.minimumLength { list.insert(Array(extra.utf8), at: 0) }
        guard !list.isEmpty, buffer.readableBytes > 0 else { return }
        var bytes = Array(buffer.readableBytesView)
        var changed = false
        for s in list where Self.replace(s, in: &bytes) { changed = true }
        if changed { buffer = ByteBuffer(bytes: bytes) }
    }

    public func redact(_ text: String, also extra: String? = nil) -> String {
        var b = ByteBuffer(string: text)
        redact(&b, also: extra)
        return String(buffer: b)
    }

    private static func replace(_ needle: [UInt8], in bytes: inout [UInt8]) -> Bool {
        guard bytes.count >= needle.count, let first = needle.first else { return false }
        var out: [UInt8] = []
        var i = 0
        var found = false
        let last = bytes.count - needle.count
        while i < bytes.count {
            if i <= last, bytes[i] == first, bytes[i..<(i + needle.count)].elementsEqual(needle) {
                if !found {
                    found = true
                    out.reserveCapacity(bytes.count)
                    out.append(contentsOf: bytes[0..<i])
                }
                out.append(contentsOf: replacement)
                i += needle.count
                continue
            }
            if found { out.append(bytes[i]) }
            i += 1
        }
        if found { bytes = out }
        return found
    }
}
