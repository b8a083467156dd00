/// Splits Ollama's newline-delimited JSON stream into lines. Bytes stay raw until a line is
/// whole, so a UTF-8 sequence or a JSON document may split across feeds anywhere.
struct NDJSONSplitter: Sendable {
    private var line: [UInt8] = []

    init() {}

    /// The complete, non-blank lines in `bytes` (CR before LF dropped).
    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [[UInt8]] {
        var out: [[UInt8]] = []
        for b in bytes {
            if b == 0x0A {
                take(into: &out)
            } else {
                line.append(b)
            }
        }
        return out
    }

    /// The last line, when the stream closed without a final newline.
    mutating func finish() -> [[UInt8]] {
        var out: [[UInt8]] = []
        take(into: &out)
        return out
    }

    private mutating func take(into out: inout [[UInt8]]) {
        if line.last == 0x0D { line.removeLast() }
        if line.contains(where: { $0 != 0x20 && $0 != 0x09 }) { out.append(line) }
        line.removeAll(keepingCapacity: true)
    }
}
