import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import TollgateConfig

/// The client-facing listener: accepts connections on the group's loops and hands each request
/// to a `GatewayHandler` on the loop that accepted it.
public final class GatewayServer: Sendable {
    public let runtime: RuntimeBox
    public let services: GatewayServices
    private let inFlight = Atomic<Int>(0)
    private let channel = Mutex<(any Channel)?>(nil)

    public init(runtime: RuntimeBox, services: GatewayServices) {
        self.runtime = runtime
        self.services = services
    }

    /// `GatewayHandler` frames every answer itself (a length, or chunked when it has none), so
    /// NIO's encoder does not look: its check removes `transfer-encoding` from every head, and
    /// that change copies the whole header block (the pipeline still holds the head it was given).
    static let responseFraming: HTTPResponseEncoder.Configuration = {
        var c = HTTPResponseEncoder.Configuration()
        c.automaticallySetFramingHeaders = false
        return c
    }()

    /// Binds the listener; returns the address actually bound (port 0 picks a free one).
    public func start(listen: HostPort, tls: TLSFiles?) async throws -> SocketAddress {
        let sslContext: NIOSSLContext? = try tls.map { files in
            let cert = try NIOSSLCertificate.fromPEMFile(files.cert)
            let key = try NIOSSLPrivateKey(file: files.key, format: .pem)
            return try NIOSSLContext(configuration: .makeServerConfiguration(
                certificateChain: cert.map { .certificate($0) }, privateKey: .privateKey(key)))
        }
        let bootstrap = ServerBootstrap(group: services.group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { [self] channel in
                do {
                    let sync = channel.pipeline.syncOperations
                    if let sslContext { try sync.addHandler(NIOSSLServerHandler(context: sslContext)) }
                    // No pipelining helper, no error handler: GatewayHandler does both (see there). Outbound
                    // header validation is off: every header we write was parsed by NIO or checked
                    // when the config was loaded or the model resolved (`HeaderSafety`).
                    try sync.configureHTTPServerPipeline(
                        withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false,
                        withEncoderConfiguration: Self.responseFraming)
                    try sync.addHandler(GatewayHandler(server: self))
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

    /// Waits until no request is in flight, or `deadline` passes. Returns the count left.
    public func drain(until deadline: ContinuousClock.Instant) async -> Int {
        while inFlight.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return inFlight.load(ordering: .relaxed)
    }

    public var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }

    func requestStarted() { inFlight.add(1, ordering: .relaxed) }
    func requestFinished() { inFlight.subtract(1, ordering: .relaxed) }
}

enum ServerError: Error {
    case notBound
}
