import NIOCore
import NIOHTTP1
import NIOPosix

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
    struct Key: Hashable {
        var tls: Bool
        var host: String
        var port: Int
    }

    let eventLoop: any EventLoop
    let wire: any UpstreamWire
    /// Upstream timeouts of this loop's exchanges.
    let deadlines: DeadlineSweep
    private var idle: [Key: [UpstreamConnection]] = [:]
    static let maxIdlePerKey = 128
    static let idleTimeout = TimeAmount.seconds(60)

    init(eventLoop: any EventLoop, wire: any UpstreamWire) {
        self.eventLoop = eventLoop
        self.wire = wire
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
        let wire = wire
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try wire.addClientCodec(to: sync, tls: key.tls, host: key.host)
                    try sync.addHandler(UpstreamClientHandler())
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

/// One pool per event loop of the group, created at start and kept across reloads.
public final class ConnectionPools: Sendable {
    private let pools: [ObjectIdentifier: NIOLoopBound<ConnectionPool>]

    public init(group: any EventLoopGroup, wire: any UpstreamWire) async throws {
        var map: [ObjectIdentifier: NIOLoopBound<ConnectionPool>] = [:]
        for loop in group.makeIterator() {
            // A loop-bound value must be made on its loop.
            map[ObjectIdentifier(loop)] = try await loop.submit {
                NIOLoopBound(ConnectionPool(eventLoop: loop, wire: wire), eventLoop: loop)
            }.get()
        }
        pools = map
    }

    /// The pool of the loop the caller runs on.
    func pool(for loop: any EventLoop) -> ConnectionPool? {
        pools[ObjectIdentifier(loop)]?.value
    }
}
