/// A parsed absolute http(s) URL, split the way a connection pool and a request line need it.
/// Parsed at config load; per request only `path` is extended.
public struct UpstreamURL: Sendable, Equatable, CustomStringConvertible {
    public let tls: Bool
    public let host: String
    public let port: Int
    /// Path and query, starting with `/`; empty when the URL named none.
    public var path: String
    /// The `Host` header value, worked out once: the port only when it is not the scheme's
    /// default, IPv6 in brackets.
    public let hostHeader: String

    public init(tls: Bool, host: String, port: Int, path: String) {
        self.tls = tls
        self.host = host
        self.port = port
        self.path = path
        self.hostHeader = UpstreamURL.hostHeader(tls: tls, host: host, port: port)
    }

    public init?(_ text: String) {
        // Host and path go into the request line and `Host` header unvalidated (see HeaderSafety).
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { return nil }
        let s = Substring(text)
        let rest: Substring
        let tls: Bool
        if s.hasPrefix("https://") {
            tls = true
            rest = s.dropFirst(8)
        } else if s.hasPrefix("http://") {
            tls = false
            rest = s.dropFirst(7)
        } else {
            return nil
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        var p = String(rest.dropFirst(authority.count))
        if p.hasPrefix("?") { p = "/" + p }
        while p.hasSuffix("/") { p.removeLast() }
        let host: String
        let port: Int
        // [v6]:port, host:port, host
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()) else { return nil }
                port = p
            } else {
                port = tls ? 443 : 80
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let p = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = p
        } else {
            host = String(authority)
            port = tls ? 443 : 80
        }
        if host.isEmpty { return nil }
        self.init(tls: tls, host: host, port: port, path: p)
    }

    private static func hostHeader(tls: Bool, host: String, port: Int) -> String {
        let h = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
        return (tls && port == 443) || (!tls && port == 80) ? h : "\(h):\(port)"
    }

    public func appending(_ suffix: String) -> UpstreamURL {
        var u = self
        u.path += suffix
        return u
    }

    public var description: String { "\(tls ? "https" : "http")://\(hostHeader)\(path)" }
}

extension UpstreamURL {
    /// `text` as exactly one path segment: unreserved bytes and `@` kept, everything else
    /// percent-encoded (`:` too: Gemini's `{model}:generateContent` puts the action after one).
    /// Nil when no encoding makes it one segment: empty, `.`, `..`, or holding a `/` (which
    /// an escaped `%2F` would become again on servers that decode before routing).
    public static func pathSegment(_ text: String) -> String? {
        let bytes = text.utf8
        guard !bytes.isEmpty, text != ".", text != "..", !bytes.contains(UInt8(ascii: "/")), !bytes.contains(UInt8(ascii: "\\")) else {
            return nil
        }
        if bytes.allSatisfy(isKept) { return text }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 3)
        for b in bytes {
            if isKept(b) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isKept(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "@"):
            return true
        default:
            return false
        }
    }
}
