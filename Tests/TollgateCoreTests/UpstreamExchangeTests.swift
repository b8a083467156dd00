import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
import TollgateConfig
import TollgateProtocols

@testable import TollgateCore

/// The exchange against real sockets: a loopback upstream that answers with the statuses it is
/// given, one per request, and a port where nothing listens.
@Suite struct UpstreamExchangeTests {
    /// Answers each request with the next status of `statuses` and a body naming it.
    private final class Upstream: ChannelInboundHandler, @unchecked Sendable {
        // @unchecked: each connection's handler is touched only on its channel's loop; the shared
        // counter is behind a lock.
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let statuses: [Int]
        let served: NIOLockedValueBox<Int>
        init(_ statuses: [Int], served: NIOLockedValueBox<Int>) {
            self.statuses = statuses
            self.served = served
        }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            let n = served.withLockedValue { n -> Int in defer { n += 1 }; return n }
            let status = statuses[min(n, statuses.count - 1)]
            let body = ByteBuffer(string: #"{"answer":\#(n),"status":\#(status)}"#)
            let head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: ["content-length": "\(body.readableBytes)"])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    /// What reached the client.
    private final class Collect: ResponseSink, @unchecked Sendable {
        // @unchecked: written on the request's loop, read after `done` completes.
        var status = 0
        var body = ""
        let done: EventLoopPromise<Void>
        init(_ done: EventLoopPromise<Void>) { self.done = done }
        func writeHead(_ head: consuming HTTPResponseHead) { status = Int(head.status.code) }
        func writeBody(_ part: ByteBuffer) { body += String(buffer: part) }
        func flush() {}
        func writeEnd() {}
        func writeWhole(_ head: consuming HTTPResponseHead, _ body: ByteBuffer) {
            status = Int(head.status.code)
            self.body = String(buffer: body)
        }
        func cut(last: ByteBuffer?) {}
        func requestDone() { done.succeed() }
    }

    /// Sends its plan's calls: the targets given, in order.
    private struct Send: UpstreamPhase {
        let urls: [String]
        var inboundProtocol: WireProtocol? { .openAIChat }
        func upstream(_ ctx: RequestContext) -> UpstreamResult {
            .call(UpstreamPlan(urls.enumerated().map { i, u in
                UpstreamCall(
                    url: UpstreamURL(u)!, fields: [], body: ByteBuffer(string: "{}"), timeout: .seconds(5),
                    transformer: WholeTransform(), target: ResolvedTarget(provider: "p\(i)", model: "m"))
            }))
        }
    }

    private func exchange(statuses: [Int], urls: (Int) -> [String]) async throws -> (Int, String, Int) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let served = NIOLockedValueBox(0)
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.configureHTTPServerPipeline()
                    try ch.pipeline.syncOperations.addHandler(Upstream(statuses, served: served))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)
        let route = Route(id: "r", uri: "/x", methods: nil, host: nil, plugins: [Send(urls: urls(port))])
        let runtime = GatewayRuntime(
            config: GatewayConfig(file: "t.yaml"), router: Router(routes: [route]),
            providers: try ProviderRegistry(config: [], environment: [:]))
        let loop = group.next()
        let done = loop.makePromise(of: Void.self)
        let sink = Collect(done)
        let pools = try await ConnectionPools(group: group, wire: HTTP1UpstreamWire(tls: false))
        try await loop.submit {
            let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/x", headers: [:])
            _ = Dispatcher.begin(head: head, body: ByteBuffer(string: "{}"), runtime: runtime, eventLoop: loop, pool: pools.pool(for: loop)!, sink: sink)
        }.get()
        try await done.futureResult.get()
        try await server.close()
        try await group.shutdownGracefully()
        return (sink.status, sink.body, served.withLockedValue { $0 })
    }

    @Test func anAnswerIsRelayedWhole() async throws {
        let (status, body, served) = try await exchange(statuses: [200]) { ["http://127.0.0.1:\($0)/v1"] }
        #expect(status == 200)
        #expect(body == #"{"answer":0,"status":200}"#)
        #expect(served == 1)
    }

    @Test func a503FallsBackToTheNextCallBeforeTheClientSeesIt() async throws {
        let (status, body, served) = try await exchange(statuses: [503, 200]) { ["http://127.0.0.1:\($0)/a", "http://127.0.0.1:\($0)/b"] }
        #expect(status == 200)
        #expect(body == #"{"answer":1,"status":200}"#)
        #expect(served == 2)
    }

    @Test func aRefusedConnectionFallsBack() async throws {
        let (status, _, served) = try await exchange(statuses: [200]) { ["http://127.0.0.1:1/dead", "http://127.0.0.1:\($0)/b"] }
        #expect(status == 200)
        #expect(served == 1)
    }

    @Test func theLastCallsErrorReachesTheClientInItsProtocol() async throws {
        let (status, body, served) = try await exchange(statuses: [429, 400]) { ["http://127.0.0.1:\($0)/a", "http://127.0.0.1:\($0)/b"] }
        #expect(status == 400)
        #expect(body.contains("\"answer\":1"))
        #expect(served == 2)
    }

    @Test func nothingListeningIsA502() async throws {
        let (status, body, _) = try await exchange(statuses: [200]) { _ in ["http://127.0.0.1:1/dead"] }
        #expect(status == 502)
        #expect(body.contains("unreachable"))
    }
}
