/// A listen address. Accepts `HOST:PORT`, `[IPV6]:PORT` and `:PORT` (all interfaces).
public struct HostPort: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses a listen address; nil when it is not one. The port must be 0...65535 (0 lets the
    /// system choose, which tests use).
    public init?(parsing text: String) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            guard after.hasPrefix(":"), !host.isEmpty else { return nil }
            portText = after.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            // An unbracketed IPv6 address is ambiguous ("::1:80"): ask for brackets.
            guard !host.contains(":"), !host.contains(where: \.isWhitespace) else { return nil }
        }
        guard !portText.isEmpty, portText.allSatisfy(\.isASCIIDigit), portText.count <= 5,
            let port = Int(portText), (0...65535).contains(port)
        else { return nil }
        self.host = host.isEmpty ? "0.0.0.0" : String(host)
        self.port = port
    }

    /// `host:port`, with brackets around an IPv6 host, ready for `http://\(listen)`.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    static let syntaxHelp = "expected HOST:PORT, [IPV6]:PORT or :PORT"
}
