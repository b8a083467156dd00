#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ollama's `created_at` is RFC 3339 (`2024-07-22T20:14:48.452497-07:00`); canonical times are
/// Unix seconds. Written out here because the request path does not load Foundation.
enum OllamaTime {
    static func now() -> Int { Int(time(nil)) }

    /// RFC 3339 → Unix seconds; nil when the text is not a timestamp. Fractions are dropped.
    static func parse(_ s: String) -> Int? {
        let b = Array(s.utf8)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= b.count else { return nil }
            var v = 0
            for c in b[from..<(from + len)] {
                guard c >= 0x30, c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2),
            let mi = num(14, 2), let sec = num(17, 2), (1...12).contains(mo)
        else { return nil }
        var i = 19
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
        }
        var offset = 0
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = num(i + 1, 2), let om = num(i + 4, 2) else { return nil }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        }
        return CivilDate.days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset
    }

    /// Unix seconds → `YYYY-MM-DDTHH:MM:SSZ`.
    static func format(_ t: Int) -> String {
        let (day, secs) = (t >= 0 ? t / 86400 : (t - 86399) / 86400, ((t % 86400) + 86400) % 86400)
        let (y, m, d) = CivilDate.civil(day)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))T\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60))Z"
    }

}
