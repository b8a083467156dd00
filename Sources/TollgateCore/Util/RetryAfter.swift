import TollgateProtocols

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A `retry-after` header's value in seconds: delta-seconds, or an HTTP date (IMF-fixdate,
/// `Sun, 06 Nov 1994 08:49:37 GMT`, the form RFC 9110 requires senders to use) counted from now.
public enum RetryAfter {
    public static func seconds(_ value: Substring, now: Double? = nil) -> Double? {
        let v = value.drop { $0 == " " }
        if let n = Double(v), n >= 0, n.isFinite { return n }
        guard let date = httpDate(v) else { return nil }
        let current = now ?? Double(time(nil))
        return max(0, date - current)
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Seconds since the epoch of an IMF-fixdate.
    static func httpDate(_ s: Substring) -> Double? {
        let parts = s.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]),
              let month = months.firstIndex(of: String(parts[2])) else { return nil }
        let hms = parts[4].split(separator: ":").compactMap { Int($0) }
        guard hms.count == 3, (1...31).contains(day) else { return nil }
        return Double(CivilDate.days(year, month + 1, day) * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2])
    }
}
