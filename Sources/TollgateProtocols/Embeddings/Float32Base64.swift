/// OpenAI's `encoding_format: base64`: a vector as little-endian float32 values, base64-encoded
/// (what openai-python decodes with `np.frombuffer(base64.b64decode(s), dtype="float32")`).
enum Float32Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ v: [Double]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(v.count * 4)
        for d in v {
            let bits = Float(d).bitPattern
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 16))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 24))
        }
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            let b0 = UInt32(bytes[i]), b1 = n > 1 ? UInt32(bytes[i + 1]) : 0, b2 = n > 2 ? UInt32(bytes[i + 2]) : 0
            let w = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(w >> 18 & 63)])
            out.append(alphabet[Int(w >> 12 & 63)])
            out.append(n > 1 ? alphabet[Int(w >> 6 & 63)] : UInt8(ascii: "="))
            out.append(n > 2 ? alphabet[Int(w & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// nil when the text is not base64 of a whole number of float32 values.
    static func decode(_ s: String) -> [Double]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count / 4 * 3)
        var acc: UInt32 = 0
        var bits = 0
        for c in s.utf8 {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            case UInt8(ascii: "="): continue
            default: return nil
            }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        guard bytes.count % 4 == 0 else { return nil }
        var out: [Double] = []
        out.reserveCapacity(bytes.count / 4)
        var i = 0
        while i < bytes.count {
            let w = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            out.append(Double(Float(bitPattern: w)))
            i += 4
        }
        return out
    }
}
