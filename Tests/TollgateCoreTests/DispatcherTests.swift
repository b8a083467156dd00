import NIOCore
import NIOEmbedded
import NIOHTTP1
import Synchronization
import Testing
import TollgateConfig
import TollgateProtocols

@testable import TollgateCore

/// Records which phases ran, in order, and can answer in one of them.
private final class PhaseLog: Sendable {
    let entries = Mutex<[String]>([])
    func add(_ s: String) { entries.withLock { $0.append(s) } }
    var all: [String] { entries.withLock { $0 } }
}

private struct Recorder: AccessPhase, RewritePhase, UpstreamPhase, ResponseHeadPhase, ResponseChunkPhase, LogPhase {
    let name: String
    let log: PhaseLog
    var answerInAccess = false
    var inboundProtocol: WireProtocol? { .anthropicMessages }

    func access(_ ctx: RequestContext) -> PhaseResult {
        log.add("\(name).access")
        return answerInAccess ? .respond(.error(GatewayError(status: 403, kind: .permission, message: "no"))) : .next
    }
    func rewrite(_ ctx: RequestContext) -> PhaseResult {
        log.add("\(name).rewrite")
        return .next
    }
    func upstream(_ ctx: RequestContext) -> UpstreamResult {
        log.add("\(name).upstream")
        return .respond(.json(Array(#"{"ok":true}"#.utf8)))
    }
    func responseHead(_ ctx: RequestContext, _ head: inout HTTPResponseHead) {
        log.add("\(name).head")
        head.headers.add(name: "x-seen-by", value: name)
    }
    func responseChunk(_ ctx: RequestContext, _ chunk: inout ByteBuffer) {
        log.add("\(name).chunk")
    }
    func log(_ ctx: RequestContext) { log.add("\(name).log") }
}

/// A phase-only plugin: it is in the access list and no other.
private struct AccessOnly: AccessPhase {
    let log: PhaseLog
    func access(_ ctx: RequestContext) -> PhaseResult {
        log.add("gate.access")
        return .next
    }
}

private final class Sink: ResponseSink {
    var events: [String] = []
    var head: HTTPResponseHead?
    var body = ByteBuffer()
    let log: PhaseLog
    init(log: PhaseLog) { self.log = log }
    func writeHead(_ head: consuming HTTPResponseHead) { self.head = head; events.append("head") }
    func writeBody(_ part: ByteBuffer) { var p = part; body.writeBuffer(&p); events.append("body") }
    func flush() {}
    func writeEnd() { events.append("end") }
    func writeWhole(_ head: consuming HTTPResponseHead, _ body: ByteBuffer) {
        self.head = head
        self.body = body
        events.append("whole")
        log.add("sink.whole")
    }
    func cut(last: ByteBuffer?) { events.append("cut") }
    func requestDone() { events.append("done"); log.add("sink.done") }
}

@Suite struct DispatcherTests {
    private func runtime(_ plugins: [any Plugin]) throws -> GatewayRuntime {
        let route = Route(id: "r", uri: "/v1/x", methods: nil, host: nil, plugins: plugins)
        return GatewayRuntime(
            config: GatewayConfig(file: "t.yaml"), router: Router(routes: [route]),
            providers: try ProviderRegistry(config: [], environment: [:]))
    }

    private func run(_ plugins: [any Plugin], uri: String = "/v1/x", log: PhaseLog) throws -> Sink {
        let loop = EmbeddedEventLoop()
        let sink = Sink(log: log)
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: uri, headers: ["x-request-id": "req-1"])
        _ = Dispatcher.begin(
            head: head, body: ByteBuffer(string: "{}"), runtime: try runtime(plugins), eventLoop: loop,
            pool: ConnectionPool(eventLoop: loop, wire: try HTTP1UpstreamWire(tls: false)), sink: sink)
        return sink
    }

    @Test func everyPhaseRunsInOrderAndTheLogComesAfterTheAnswer() throws {
        let log = PhaseLog()
        let sink = try run([AccessOnly(log: log), Recorder(name: "a", log: log), Recorder(name: "b", log: log)], log: log)
        #expect(log.all == [
            "gate.access", "a.access", "b.access", "a.rewrite", "b.rewrite", "a.upstream",
            "a.head", "b.head", "a.chunk", "b.chunk", "sink.whole", "a.log", "b.log", "sink.done",
        ])
        #expect(sink.events == ["whole", "done"])
        #expect(sink.head?.headers["x-seen-by"] == ["a", "b"])
        #expect(sink.head?.headers.first(name: "x-request-id") == "req-1")
        #expect(String(buffer: sink.body) == #"{"ok":true}"#)
    }

    @Test func anAnswerInAccessSkipsTheRestButNotTheResponsePhasesOrTheLog() throws {
        let log = PhaseLog()
        var first = Recorder(name: "a", log: log)
        first.answerInAccess = true
        let sink = try run([first, Recorder(name: "b", log: log)], log: log)
        #expect(log.all == ["a.access", "a.head", "b.head", "a.chunk", "b.chunk", "sink.whole", "a.log", "b.log", "sink.done"])
        #expect(sink.head?.status == .forbidden)
        // The route's error shape comes from the plugin that knows the inbound protocol.
        #expect(String(buffer: sink.body).contains(#""type":"error""#))
    }

    @Test func noRouteIsA404InThePathsFamilyAndNoPhaseRuns() throws {
        let log = PhaseLog()
        let sink = try run([Recorder(name: "a", log: log)], uri: "/anthropic/v1/nothing", log: log)
        #expect(log.all == ["sink.whole", "sink.done"])
        #expect(sink.head?.status == .notFound)
        #expect(sink.head?.headers.first(name: "x-request-id") == "req-1")
        #expect(String(buffer: sink.body).contains(#""type":"error""#))
    }

    @Test func phaseListsComeFromConformance() {
        let log = PhaseLog()
        let route = Route(id: "r", uri: "/x", methods: nil, host: nil, plugins: [AccessOnly(log: log), Recorder(name: "a", log: log)])
        #expect(route.access.count == 2 && route.rewrite.count == 1 && route.log.count == 1 && route.upstream != nil)
        #expect(route.fixedProtocol == .anthropicMessages)
    }
}
