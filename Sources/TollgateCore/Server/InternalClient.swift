import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import TollgateProtocols

/// A request made by the gateway to itself (the async worker runs a stored job this way): it
/// goes through the route's whole pipeline like a client's, but its answer is collected in
/// memory instead of written to a socket.
public struct InternalRequest: Sendable {
    public var method: HTTPMethod
    public var uri: String
    public var headers: HTTPHeaders
    public var body: ByteBuffer
    public init(method: HTTPMethod = .POST, uri: String, headers: HTTPHeaders, body: ByteBuffer) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }
}

public struct InternalResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: ByteBuffer
}

/// Runs internal requests; the server implements it, plugins reach it through the services.
public protocol InternalExecutor: Sendable {
    func perform(_ request: InternalRequest) -> EventLoopFuture<InternalResponse>
}

extension GatewayServer: InternalExecutor {
    public func perform(_ request: InternalRequest) -> EventLoopFuture<InternalResponse> {
        let loop = services.group.next()
        return loop.flatSubmit { [self] in
            guard let pool = services.pools?.pool(for: loop) else {
                return loop.makeFailedFuture(ServerError.notBound)
            }
            let head = HTTPRequestHead(version: .http1_1, method: request.method, uri: request.uri, headers: request.headers)
            let collector = CollectingResponder(promise: loop.makePromise(of: InternalResponse.self))
            requestStarted()
            let future = collector.promise.futureResult
            future.assumeIsolated().whenComplete { [self] _ in requestFinished() }
            // The same entry as a client's request: route, phases, response phases, log.
            _ = Dispatcher.begin(
                head: head, body: request.body, runtime: runtime.current, eventLoop: loop, pool: pool, sink: collector,
                isInternal: true)
            return future
        }
    }
}

/// Collects an answer in memory for an internal request: the sink of its Dispatcher.
final class CollectingResponder: ResponseSink {
    let promise: EventLoopPromise<InternalResponse>
    private var head = HTTPResponseHead(version: .http1_1, status: .ok)
    private var body = ByteBuffer()

    init(promise: EventLoopPromise<InternalResponse>) { self.promise = promise }

    func writeHead(_ head: consuming HTTPResponseHead) { self.head = head }

    func writeBody(_ part: ByteBuffer) {
        var p = part
        body.writeBuffer(&p)
    }

    func flush() {}
    func writeEnd() {}

    func writeWhole(_ head: consuming HTTPResponseHead, _ body: ByteBuffer) {
        self.head = head
        self.body = body
    }

    /// An internal caller has no connection to cut: it gets what came, and the request's
    /// error (recorded by the exchange) says the answer is incomplete.
    func cut(last: ByteBuffer?) {
        if var last { body.writeBuffer(&last) }
    }

    func requestDone() {
        promise.succeed(InternalResponse(status: head.status, headers: head.headers, body: body))
    }
}
