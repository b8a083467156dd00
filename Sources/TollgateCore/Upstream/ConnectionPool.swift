import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An upstream connection with its handler, owned by one loop's pool.
final class UpstreamConnection {
    let channel: any Channel
    let handler: UpstreamClientHandler
    let key: ConnectionPool.Key
    /// Whether it served an exchange before: a reused connection may have been closed by the
    /// peer while idle, so a failure before any answer is retried once on a new one.
    var reused = false
    var idleSince = NIODeadline.now()
    /// Reading was turned off because the client could not take more: a connection must never
    /// go back to the pool like that, or the next exchange on it waits for an answer it never reads.
    private(set) var readingPaused = false

    init(channel: any Channel, handler: UpstreamClientHandler, key: ConnectionPool.Key) {
        self.channel = channel
        self.handler = handler
        self.key = key
    }

    func setReading(_ on: Bool) {
        guard on == readingPaused else { return }
        readingPaused = !on
        try? channel.syncOptions?.setOption(.autoRead, value: on)
        if on { channel.read() }
    }
}

/// Kept-alive upstream connections of one event loop. Only that loop touches it, so requests
/// never wait on a lock or hop threads to get a connection.
final class ConnectionPool {
    /// Every request carries its `content-length` (`UpstreamCall.init`), so NIO's encoder need
    /// not check the framing: that check changes the head and copies its header block.
    static let requestFraming: HTTPRequestEncoder.Configuration = {
        var c = HTTPRequestEncoder.Configuration()
        c.automaticallySetFramingHeaders = false
        return c
    }()

    struct Key: Hashable {
        var tls: Bool
        var host: String
        var port: Int
    }

    let eventLoop: any EventLoop
    let tls: NIOSSLContext?
    /// Upstream timeouts of this loop's exchanges.
    let deadlines: DeadlineSweep
    private var idle: [Key: [UpstreamConnection]] = [:]
    static let maxIdlePerKey = 128
    static let idleTimeout = TimeAmount.seconds(60)

    init(eventLoop: any EventLoop, tls: NIOSSLContext?) {
        self.eventLoop = eventLoop
        self.tls = tls
        self.deadlines = DeadlineSweep(eventLoop: eventLoop)
    }

    /// A kept-alive connection to `url`'s host, if one is idle and still open. Synchronous, so
    /// the usual request (a warm pool) allocates no callback.
    func takeIdle(_ url: UpstreamURL) -> UpstreamConnection? {
        let key = Key(tls: url.tls, host: url.host, port: url.port)
        let now = NIODeadline.now()
        // `idle[key]?.popLast()` mutates the list in place: copying it out first would copy
        // every idle connection (with a retain each) on every request.
        while let conn = idle[key]?.popLast() {
            if conn.channel.isActive, now - conn.idleSince < Self.idleTimeout {
                conn.reused = true
                return conn
            }
            conn.channel.close(promise: nil)
        }
        return nil
    }

    /// Opens a new connection to `url`'s host and hands it to `done` on this loop.
    func connect(_ url: UpstreamURL, connectTimeout: TimeAmount, _ done: @escaping (Result<UpstreamConnection, any Error>) -> Void) {
        connect(Key(tls: url.tls, host: url.host, port: url.port), connectTimeout: connectTimeout, done)
    }

    func release(_ conn: UpstreamConnection) {
        guard conn.channel.isActive, conn.handler.keepAlive else {
            conn.channel.close(promise: nil)
            return
        }
        guard idle[conn.key, default: []].count < Self.maxIdlePerKey else {
            conn.channel.close(promise: nil)
            return
        }
        if conn.readingPaused { conn.setReading(true) }
        conn.idleSince = .now()
        idle[conn.key, default: []].append(conn)
    }

    /// Drops a connection that closed while idle.
    private func remove(_ handler: UpstreamClientHandler, key: Key) {
        guard let i = idle[key]?.firstIndex(where: { $0.handler === handler }) else { return }
        idle[key]?.remove(at: i)
    }

    private func connect(_ key: Key, connectTimeout: TimeAmount, _ done: @escaping (Result<UpstreamConnection, any Error>) -> Void) {
        let sslContext = key.tls ? tls : nil
        if key.tls, sslContext == nil {
            done(.failure(UpstreamError.tlsUnavailable))
            return
        }
        let host = key.host
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    let sync = channel.pipeline.syncOperations
                    if let sslContext {
                        // SNI only for names: an IP address is not a valid server name.
                        let isIP = host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" }
                        try sync.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: isIP ? nil : host))
                    }
                    // Header validation off, as on the server side: see GatewayServer.
                    try sync.addHTTPClientHandlers(enableOutboundHeaderValidation: false, encoderConfiguration: Self.requestFraming)
                    try sync.addHandler(UpstreamClientHandler())
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        bootstrap.connect(host: key.host, port: key.port).assumeIsolated().whenComplete { result in
            switch result {
            case .failure(let error):
                done(.failure(error))
            case .success(let channel):
                do {
                    let handler = try channel.pipeline.syncOperations.handler(type: UpstreamClientHandler.self)
                    let conn = UpstreamConnection(channel: channel, handler: handler, key: key)
                    // Strong captures, no weak ones: a weakly referenced object gets a side
                    // table and every later retain of it takes the slow path. No cycle outlives
                    // the connection: the handler drops `onClose` when the channel closes, and
                    // pools live as long as the process.
                    handler.onClose = { [self] h in self.remove(h, key: key) }
                    done(.success(conn))
                } catch {
                    channel.close(promise: nil)
                    done(.failure(error))
                }
            }
        }
    }
}

enum UpstreamError: Error, CustomStringConvertible {
    case tlsUnavailable
    case closedBeforeResponse
    case timeout

    var description: String {
        switch self {
        case .tlsUnavailable: return "TLS is not available"
        case .closedBeforeResponse: return "upstream closed the connection before answering"
        case .timeout: return "upstream timed out"
        }
    }
}

/// One pool per event loop of the group, created at start and kept across reloads.
public final class ConnectionPools: Sendable {
    private let pools: [ObjectIdentifier: NIOLoopBound<ConnectionPool>]

    public init(group: any EventLoopGroup) async throws {
        let ctx = try NIOSSLContext(configuration: .makeClientConfiguration())
        var map: [ObjectIdentifier: NIOLoopBound<ConnectionPool>] = [:]
        for loop in group.makeIterator() {
            // A loop-bound value must be made on its loop.
            map[ObjectIdentifier(loop)] = try await loop.submit {
                NIOLoopBound(ConnectionPool(eventLoop: loop, tls: ctx), eventLoop: loop)
            }.get()
        }
        pools = map
    }

    /// The pool of the loop the caller runs on.
    func pool(for loop: any EventLoop) -> ConnectionPool? {
        pools[ObjectIdentifier(loop)]?.value
    }
}
