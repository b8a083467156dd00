import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import TollgateConfig

/// The client-facing listener: accepts connections on the group's loops and hands each request
/// to a `GatewayHandler` on the loop that accepted it.
public final class GatewayServer: Sendable {
    public let runtime: RuntimeBox
    public let services: GatewayServices
    private let inFlight = Atomic<Int>(0)
    private let open = Atomic<Int>(0)
    private let channel = Mutex<(any Channel)?>(nil)
    private let clients = Mutex<ClientRegistry?>(nil)
    /// When the last "cannot accept" warning was logged (uptime nanoseconds): one a second at most.
    private let lastAcceptWarning = Atomic<UInt64>(0)

    public init(runtime: RuntimeBox, services: GatewayServices) {
        self.runtime = runtime
        self.services = services
    }

    /// Binds the listener; returns the address actually bound (port 0 picks a free one).
    public func start(listen: HostPort, wire: any ServerWire) async throws -> SocketAddress {
        let registry = try await ClientRegistry(group: services.group)
        clients.withLock { $0 = registry }
        let bootstrap = ServerBootstrap(group: services.group)
            .serverChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptPause(onPause: { [self] in acceptFailed($0) }))
                }
            }
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { [self] channel in
                do {
                    let sync = channel.pipeline.syncOperations
                    try wire.addServerCodec(to: sync)
                    guard let connections = registry.connections(for: channel.eventLoop) else { throw ServerError.notBound }
                    try sync.addHandler(GatewayHandler(server: self, connections: connections))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        let ch = try await bootstrap.bind(host: listen.host, port: listen.port).get()
        channel.withLock { $0 = ch }
        guard let address = ch.localAddress else { throw ServerError.notBound }
        return address
    }

    /// Stops accepting new connections; requests already in flight go on.
    public func stopAccepting() async {
        let ch = channel.withLock { c -> (any Channel)? in
            defer { c = nil }
            return c
        }
        try? await ch?.close()
    }

    /// Tells every client connection to finish: an answer in progress goes out with
    /// `connection: close` (or the connection closes after it), an idle one closes.
    public func beginDrain() async {
        await clients.withLock { $0 }?.forEach { $0.beginDrain() }
    }

    /// Waits until no request is in flight and every client connection has closed, or
    /// `deadline` passes; then closes what is left. Returns the requests that were cut.
    public func drain(until deadline: ContinuousClock.Instant) async -> Int {
        while inFlight.load(ordering: .relaxed) > 0 || open.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let left = inFlight.load(ordering: .relaxed)
        if open.load(ordering: .relaxed) > 0 { await clients.withLock { $0 }?.forEach { $0.closeAll() } }
        return left
    }

    private func acceptFailed(_ error: IOError) {
        let now = NIODeadline.now().uptimeNanoseconds
        let last = lastAcceptWarning.load(ordering: .relaxed)
        guard now &- last > 1_000_000_000, lastAcceptWarning.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged else { return }
        let why = error.errnoCode == EMFILE || error.errnoCode == ENFILE
            ? "too many open files (the file descriptor limit is reached; raise `ulimit -n` or lower keepalive_timeout)"
            : "\(error)"
        services.logger.warning("cannot accept new connections: \(why); retrying in 250 ms")
    }

    public var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }

    func connectionOpened() { open.add(1, ordering: .relaxed) }
    func connectionClosed() { open.subtract(1, ordering: .relaxed) }
    func requestStarted() { inFlight.add(1, ordering: .relaxed) }
    func requestFinished() { inFlight.subtract(1, ordering: .relaxed) }
}

enum ServerError: Error {
    case notBound
}

/// Out of file descriptors, `accept` fails at once while the listener stays readable: NIO keeps
/// its read pending and polls again at once, a core at 100% (its own `AcceptBackoffHandler`
/// delays the next read, but not that poll). Turning reading off takes the listener out of the
/// poll; it goes back on after a pause.
final class AcceptPause: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    static let pause = TimeAmount.milliseconds(250)
    private let onPause: (IOError) -> Void
    private var paused = false

    init(onPause: @escaping (IOError) -> Void) { self.onPause = onPause }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let io = error as? IOError, [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(io.errnoCode) else {
            context.fireErrorCaught(error)
            return
        }
        onPause(io)
        guard !paused else { return }
        paused = true
        let channel = context.channel
        try? channel.syncOptions?.setOption(.autoRead, value: false)
        context.eventLoop.assumeIsolated().scheduleTask(in: Self.pause) { [self] in
            paused = false
            try? channel.syncOptions?.setOption(.autoRead, value: true)
        }
    }
}
