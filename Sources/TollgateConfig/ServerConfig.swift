/// `server:`: the public listener.
public struct ServerConfig: Sendable {
    public var listen: HostPort
    /// Larger request bodies get 413.
    public var maxBodyBytes: Int
    public var maxStreamLineBytes: Int { limits.maxStreamLineBytes }
    public var maxBufferedAnswerBytes: Int { limits.maxBufferedAnswerBytes }
    public var maxModelNameBytes: Int { limits.maxModelNameBytes }
    /// How long in-flight requests and streams may run after SIGTERM.
    public var drainSeconds: Int
    public var tls: TLSFiles?
    /// Limits on clients and providers, nginx's defaults where nginx has one (docs/configuration.md).
    public var limits = ServerLimits()
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

/// How long a client may take, and how much a provider's answer may make us hold.
public struct ServerLimits: Sendable, Equatable {
    /// A request head must arrive whole within this, counted from the connection's start or
    /// from its first byte (nginx `client_header_timeout`).
    public var clientHeaderTimeout: Double = 60
    /// Longest pause between two reads of a request body; then 408 (nginx `client_body_timeout`).
    public var clientBodyTimeout: Double = 60
    /// An idle kept-alive connection is closed after this (nginx `keepalive_timeout`).
    public var keepaliveTimeout: Double = 75
    /// A client that takes nothing of its answer for this long is disconnected (nginx `send_timeout`).
    public var sendTimeout: Double = 60
    /// A stream line (SSE, NDJSON) from a provider longer than this breaks the answer off.
    public var maxStreamLineBytes = 16 << 20
    /// An answer read whole (translated, or an error) larger than this is a 502.
    public var maxBufferedAnswerBytes = 64 << 20
    /// Longer model names are a 400: a model name goes into URLs and a response header.
    public var maxModelNameBytes = 256

    public init() {}

    static let secondKeys: [(String, WritableKeyPath<ServerLimits, Double> & Sendable)] = [
        ("client_header_timeout", \.clientHeaderTimeout), ("client_body_timeout", \.clientBodyTimeout),
        ("keepalive_timeout", \.keepaliveTimeout), ("send_timeout", \.sendTimeout),
    ]
    static let byteKeys: [(String, WritableKeyPath<ServerLimits, Int> & Sendable)] = [
        ("max_stream_line_bytes", \.maxStreamLineBytes), ("max_buffered_answer_bytes", \.maxBufferedAnswerBytes),
        ("max_model_name_bytes", \.maxModelNameBytes),
    ]

    static func decode(_ m: ConfigMapping, _ d: inout Diagnostics) -> ServerLimits {
        var limits = ServerLimits()
        for (key, path) in secondKeys {
            guard let v = d.read({ () throws(ConfigError) in try m.double(key) }) else { continue }
            if v > 0 { limits[keyPath: path] = v } else { d.error("\(key) must be greater than 0 (seconds)", at: m[key]?.mark ?? m.mark) }
        }
        for (key, path) in byteKeys {
            guard let v = d.read({ () throws(ConfigError) in try m.int(key) }) else { continue }
            if v > 0 { limits[keyPath: path] = v } else { d.error("\(key) must be greater than 0", at: m[key]?.mark ?? m.mark) }
        }
        return limits
    }
}

extension ServerConfig {
    static let keys = ["listen", "max_body_bytes", "drain_seconds", "tls"] + ServerLimits.secondKeys.map(\.0) + ServerLimits.byteKeys.map(\.0)

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
        config.limits = ServerLimits.decode(m, &d)
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
