#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging

/// What both log handlers share: metadata in key order, a UTC timestamp, one write per line.
/// The access log passes through here on every request, so lines are built as bytes, without
/// string interpolation, Foundation date formatting or locale-aware string comparison.
enum LogLine {
    /// One metadata item. A struct, not a `(key, value)` tuple: an array of tuples needs its
    /// element metadata built at run time on every use, which cost more than the line itself.
    struct Entry {
        let key: String
        let value: Logger.MetadataValue
    }

    /// The handler's own metadata under the event's, in key order (byte order: keys are ASCII).
    static func entries(_ own: Logger.Metadata, _ event: Logger.Metadata?) -> [Entry] {
        let merged = own.isEmpty ? (event ?? [:]) : own.merging(event ?? [:]) { $1 }
        var out: [Entry] = []
        out.reserveCapacity(merged.count)
        for (k, v) in merged { out.append(Entry(key: k, value: v)) }
        out.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return out
    }

    /// `2026-11-21T15:04:39.123Z`, the ISO 8601 form log shippers parse.
    static func appendTimestamp(to out: inout [UInt8]) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = ts.tv_sec
        var parts = tm()
        gmtime_r(&t, &parts)
        func digits(_ v: Int, _ n: Int) {
            var d = 1
            for _ in 1..<n { d *= 10 }
            var v = v
            while d > 0 {
                out.append(UInt8(ascii: "0") + UInt8(v / d))
                v %= d
                d /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4); out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2); out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2); out.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2); out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2); out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2); out.append(UInt8(ascii: "."))
        digits(Int(ts.tv_nsec / 1_000_000), 3); out.append(UInt8(ascii: "Z"))
    }

    /// One `write(2)` per line, so lines from several threads never interleave mid-line.
    static func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(2, buf.baseAddress.map { $0 + off }, buf.count - off)
                if n <= 0 { return }
                off += n
            }
        }
    }
}
