/// The top level of a JSON object, indexed without building its values: each key with the byte
/// range of its value. Passthrough requests need two or three top-level fields (`model`,
/// `stream`); skimming finds them in one pass with no allocation per nested value, where a full
/// parse would build every message of the conversation.
///
/// Skimming checks structure (strings closed, brackets balanced, commas and colons in place);
/// it does not check the spelling of numbers and literals inside values it skips. Anything that
/// reads a value parses it fully.
public struct JSONSkim: Sendable {
    public struct Entry: Sendable {
        public let key: String
        /// Byte offsets of the value in the skimmed buffer.
        public let range: Range<Int>
        /// The value's first byte: `{`, `[`, `"`, `t`, `f`, `n`, or a number's first character.
        public let first: UInt8
    }

    public let entries: [Entry]

    public init(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) {
        var p = JSONParser(bytes)
        p.skipWhitespace()
        guard p.i < p.end, bytes[p.i] == UInt8(ascii: "{") else { throw p.error("expected a JSON object") }
        p.i += 1
        var out: [Entry] = []
        out.reserveCapacity(8)  // request and answer bodies have a handful of top-level keys
        p.skipWhitespace()
        if p.i < p.end, bytes[p.i] == UInt8(ascii: "}") {
            p.i += 1
        } else {
            while true {
                p.skipWhitespace()
                guard p.i < p.end, bytes[p.i] == UInt8(ascii: "\"") else { throw p.error("expected a string key") }
                let key = try p.parseString()
                p.skipWhitespace()
                guard p.i < p.end, bytes[p.i] == UInt8(ascii: ":") else { throw p.error("expected ':'") }
                p.i += 1
                p.skipWhitespace()
                guard p.i < p.end else { throw p.error("unexpected end of input") }
                let start = p.i
                let first = bytes[p.i]
                try p.skipValue()
                out.append(Entry(key: key, range: start..<p.i, first: first))
                p.skipWhitespace()
                guard p.i < p.end else { throw p.error("unexpected end of input") }
                if bytes[p.i] == UInt8(ascii: ",") { p.i += 1; continue }
                if bytes[p.i] == UInt8(ascii: "}") { p.i += 1; break }
                throw p.error("expected ',' or '}'")
            }
        }
        p.skipWhitespace()
        guard p.i == p.end else { throw p.error("unexpected trailing characters") }
        entries = out
    }

    public func entry(_ key: String) -> Entry? {
        for e in entries where e.key == key { return e }
        return nil
    }

    /// The string at `range` when it is a plain one (no escapes), else its parsed value; nil
    /// when it is not a string. Cheap enough to compare a model name on every request.
    public static func string(at range: Range<Int>, in bytes: UnsafeRawBufferPointer) -> String? {
        guard range.count >= 2, bytes[range.lowerBound] == UInt8(ascii: "\""), bytes[range.upperBound - 1] == UInt8(ascii: "\"") else {
            return nil
        }
        let inner = bytes[(range.lowerBound + 1)..<(range.upperBound - 1)]
        if !inner.contains(UInt8(ascii: "\\")) {
            return String(decoding: UnsafeRawBufferPointer(rebasing: inner), as: UTF8.self)
        }
        return (try? JSON.parse(UnsafeRawBufferPointer(rebasing: bytes[range])))?.string
    }

    /// Parses the value of `key` alone.
    public func value(_ key: String, in bytes: UnsafeRawBufferPointer) -> JSON? {
        guard let e = entry(key) else { return nil }
        return try? JSON.parse(UnsafeRawBufferPointer(rebasing: bytes[e.range]))
    }
}

extension JSONParser {
    /// Moves past one value, checking only its structure.
    mutating func skipValue() throws(JSONParseError) {
        var depth = 0
        repeat {
            guard i < end else { throw error("unexpected end of input") }
            let c = base[i]
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                guard depth <= Self.maxDepth else { throw error("nesting too deep") }
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard depth > 0 else { throw error("unexpected '\(Character(Unicode.Scalar(c)))'") }
                depth -= 1
                i += 1
            case UInt8(ascii: "\""):
                try skipString()
            case 0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: ","), UInt8(ascii: ":"):
                guard depth > 0 else { return }
                i += 1
            default:
                // A number or literal: up to the next delimiter.
                while i < end {
                    let d = base[i]
                    if d == UInt8(ascii: ",") || d == UInt8(ascii: "}") || d == UInt8(ascii: "]") || d == 0x20
                        || d == 0x0A || d == 0x0D || d == 0x09 || d == UInt8(ascii: ":")
                    { break }
                    i += 1
                }
            }
        } while depth > 0
    }

    mutating func skipString() throws(JSONParseError) {
        i += 1
        skipPlainStringBytes()
        while i < end {
            let c = base[i]
            if c == UInt8(ascii: "\"") { i += 1; return }
            if c == UInt8(ascii: "\\") { i += 2; continue }
            if c < 0x20 { throw error("control character in string") }
            i += 1
        }
        throw error("unterminated string")
    }
}
