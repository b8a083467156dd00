/// Why parsing failed, with the byte offset, so a 400 can say where the body went wrong.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}

extension JSON {
    /// Parses one JSON document; trailing bytes other than whitespace are an error.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSON {
        var p = JSONParser(bytes)
        p.skipWhitespace()
        let v = try p.parseValue(depth: 0)
        p.skipWhitespace()
        guard p.i == p.end else { throw p.error("unexpected trailing characters") }
        return v
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSON {
        var result: Result<JSON, JSONParseError> = .success(.null)
        bytes.withUnsafeBytes { buf in
            do throws(JSONParseError) { result = .success(try parse(buf)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSON {
        try parse(Array(text.utf8))
    }
}

/// A recursive-descent parser over raw bytes: no intermediate tokens, strings without escapes
/// are decoded straight from the input slice.
struct JSONParser {
    let base: UnsafeRawBufferPointer
    var i: Int
    let end: Int
    static let maxDepth = 256

    init(_ base: UnsafeRawBufferPointer) {
        self.base = base
        self.i = 0
        self.end = base.count
    }

    func error(_ m: String) -> JSONParseError { JSONParseError(message: m, offset: i) }

    /// Moves over string bytes eight at a time while none of them is a quote, a backslash or a
    /// control character; the caller's byte loop handles the rest. Message text is most of a
    /// chat body, so this is where skimming and parsing spend their time.
    @inline(__always) mutating func skipPlainStringBytes() {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while i &+ 8 <= end {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let quote = w ^ (ones &* 0x22)
            let backslash = w ^ (ones &* 0x5C)
            // A byte is zero in `quote`/`backslash`, or below 0x20 in `w`, exactly when some
            // byte of the word matches (the classic has-zero-byte test; borrows only reach
            // bytes above a real match, so the word-level answer is exact).
            let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((w &- ones &* 0x20) & ~w)
            if special & highs != 0 { return }
            i &+= 8
        }
    }

    @inline(__always) mutating func skipWhitespace() {
        while i < end {
            switch base[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSON {
        guard i < end else { throw error("unexpected end of input") }
        switch base[i] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        guard end - i >= n else { throw error("unexpected end of input") }
        let w = word.utf8Start
        for k in 0..<n where base[i + k] != w[k] { throw error("invalid literal") }
        i += n
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSON {
        guard depth <= Self.maxDepth else { throw error("nesting too deep") }
        i += 1
        skipWhitespace()
        if i < end, base[i] == UInt8(ascii: "}") { i += 1; return .object(JSONObject()) }
        var obj = JSONObject(minimumCapacity: 8)
        while true {
            skipWhitespace()
            guard i < end, base[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard i < end, base[i] == UInt8(ascii: ":") else { throw error("expected ':'") }
            i += 1
            skipWhitespace()
            let v = try parseValue(depth: depth)
            obj.append(key, v)
            skipWhitespace()
            guard i < end else { throw error("unexpected end of input") }
            if base[i] == UInt8(ascii: ",") { i += 1; continue }
            if base[i] == UInt8(ascii: "}") { i += 1; return .object(obj) }
            throw error("expected ',' or '}'")
        }
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSON {
        guard depth <= Self.maxDepth else { throw error("nesting too deep") }
        i += 1
        var arr: [JSON] = []
        skipWhitespace()
        if i < end, base[i] == UInt8(ascii: "]") { i += 1; return .array(arr) }
        while true {
            skipWhitespace()
            arr.append(try parseValue(depth: depth))
            skipWhitespace()
            guard i < end else { throw error("unexpected end of input") }
            if base[i] == UInt8(ascii: ",") { i += 1; continue }
            if base[i] == UInt8(ascii: "]") { i += 1; return .array(arr) }
            throw error("expected ',' or ']'")
        }
    }

    mutating func parseString() throws(JSONParseError) -> String {
        i += 1
        let start = i
        // Fast path: no escapes, decode the slice directly.
        skipPlainStringBytes()
        while i < end {
            let c = base[i]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeRawBufferPointer(rebasing: base[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw error("control character in string") }
            i += 1
        }
        var bytes = Array(UnsafeRawBufferPointer(rebasing: base[start..<i]))
        while i < end {
            let c = base[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: bytes, as: UTF8.self)
            }
            if c < 0x20 { throw error("control character in string") }
            if c != UInt8(ascii: "\\") { bytes.append(c); i += 1; continue }
            i += 1
            guard i < end else { break }
            let e = base[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): bytes.append(0x22)
            case UInt8(ascii: "\\"): bytes.append(0x5C)
            case UInt8(ascii: "/"): bytes.append(0x2F)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low one to form one scalar.
                    if end - i >= 6, base[i] == UInt8(ascii: "\\"), base[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let low = try hex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(scalar) {
                    scalar = 0xFFFD
                }
                let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                bytes.append(contentsOf: String(Character(u)).utf8)
            default: throw error("invalid escape")
            }
        }
        throw error("unterminated string")
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard end - i >= 4 else { throw error("invalid \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = base[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    mutating func parseNumber() throws(JSONParseError) -> JSON {
        let start = i
        var isInteger = true
        if base[i] == UInt8(ascii: "-") { i += 1 }
        guard i < end, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(base[i]) else { throw error("invalid number") }
        while i < end {
            let c = base[i]
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { i += 1; continue }
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
                || c == UInt8(ascii: "+") || c == UInt8(ascii: "-")
            {
                isInteger = false
                i += 1
                continue
            }
            break
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: base[start..<i]), as: UTF8.self)
        if isInteger, let v = Int64(text) { return .int(v) }
        guard let d = Double(text) else { throw JSONParseError(message: "invalid number", offset: start) }
        return .double(d)
    }
}
