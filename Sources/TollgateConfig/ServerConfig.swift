/// `server:`: the public listener.
public struct ServerConfig: Sendable {
    public var listen: HostPort
    /// Larger request bodies get 413.
    public var maxBodyBytes: Int
    /// How long in-flight requests and streams may run after SIGTERM.
    public var drainSeconds: Int
    public var tls: TLSFiles?
    /// The `server:` mapping, or 1:1 when the section is absent.
    public var mark: SourceMark

    public static let defaultListen = HostPort(host: "127.0.0.1", port: 8080)
    public static let defaultMaxBodyBytes = 32 * 1024 * 1024
    public static let defaultDrainSeconds = 30

    public init(
        listen: HostPort = ServerConfig.defaultListen, maxBodyBytes: Int = ServerConfig.defaultMaxBodyBytes,
        drainSeconds: Int = ServerConfig.defaultDrainSeconds, tls: TLSFiles? = nil,
        mark: SourceMark = SourceMark(file: "", line: 1, column: 1)
    ) {
        self.listen = listen
        self.maxBodyBytes = maxBodyBytes
        self.drainSeconds = drainSeconds
        self.tls = tls
        self.mark = mark
    }
}

/// Inbound TLS: PEM files, resolved against the config file's directory.
public struct TLSFiles: Sendable, Equatable {
    public var cert: String
    public var key: String

    public init(cert: String, key: String) {
        self.cert = cert
        self.key = key
    }
}

/// `admin:`: the listener for /metrics, /health and /admin/*.
public struct AdminConfig: Sendable {
    public var listen: HostPort
    /// When set, /admin/* needs `Authorization: Bearer <token>`. nil when absent or empty, so
    /// `token: ${TOLLGATE_ADMIN_TOKEN}` with the variable unset means "no token".
    public var token: String?

    public static let defaultListen = HostPort(host: "127.0.0.1", port: 9091)

    public init(listen: HostPort = AdminConfig.defaultListen, token: String? = nil) {
        self.listen = listen
        self.token = token
    }
}

extension ServerConfig {
    static let keys = ["listen", "max_body_bytes", "drain_seconds", "tls"]

    static func decode(_ node: ConfigNode?, baseDirectory: String, _ d: inout Diagnostics) -> ServerConfig {
        var config = ServerConfig(mark: node?.mark ?? SourceMark(file: "", line: 1, column: 1))
        guard let node, let m = d.mapping(node, "server", allowed: keys) else { return config }
        if let listen = decodeListen(m, &d) { config.listen = listen }
        if let bytes = d.read({ () throws(ConfigError) in try m.int("max_body_bytes") }) {
            if bytes > 0 { config.maxBodyBytes = bytes } else { d.error("max_body_bytes must be greater than 0", at: m["max_body_bytes"]?.mark ?? m.mark) }
        }
        if let seconds = d.read({ () throws(ConfigError) in try m.int("drain_seconds") }) {
            if seconds >= 0 { config.drainSeconds = seconds } else { d.error("drain_seconds must not be negative", at: m["drain_seconds"]?.mark ?? m.mark) }
        }
        if let tls = d.mapping(m, "tls", "server.tls", allowed: ["cert", "key"]) {
            let cert = d.read { () throws(ConfigError) in try tls.requiredString("cert") }
            let key = d.read { () throws(ConfigError) in try tls.requiredString("key") }
            if let cert, let key {
                config.tls = TLSFiles(cert: Paths.resolve(cert, against: baseDirectory), key: Paths.resolve(key, against: baseDirectory))
            }
        }
        return config
    }

    /// `listen` of a server or admin mapping.
    static func decodeListen(_ m: ConfigMapping, _ d: inout Diagnostics) -> HostPort? {
        guard let node = m.present("listen"), let text = d.read({ () throws(ConfigError) in try node.string() }) else { return nil }
        guard let hostPort = HostPort(parsing: text) else {
            d.error("invalid listen address '\(text)' (\(HostPort.syntaxHelp))", at: node.mark)
            return nil
        }
        return hostPort
    }
}

extension AdminConfig {
    static let keys = ["listen", "token"]

    static func decode(_ node: ConfigNode?, _ d: inout Diagnostics) -> AdminConfig {
        var config = AdminConfig()
        guard let node, let m = d.mapping(node, "admin", allowed: keys) else { return config }
        if let listen = ServerConfig.decodeListen(m, &d) { config.listen = listen }
        if let token = d.read({ () throws(ConfigError) in try m.string("token") }), !token.isEmpty {
            config.token = token
        }
        return config
    }
}
