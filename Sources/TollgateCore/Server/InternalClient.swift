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
            let runtime = runtime.current
            let head = HTTPRequestHead(version: .http1_1, method: request.method, uri: request.uri, headers: request.headers)
            let path = RequestURI.split(request.uri).path
            guard let route = runtime.router.match(path: path, method: request.method, host: nil) else {
                return loop.makeSucceededFuture(InternalResponse(status: .notFound, headers: HTTPHeaders(), body: ByteBuffer()))
            }
            guard let pool = services.pools?.pool(for: loop) else {
                return loop.makeFailedFuture(ServerError.notBound)
            }
            let ctx = RequestContext(
                requestID: request.headers.first(name: "x-request-id") ?? RequestID.make(), head: head, body: request.body,
                route: route, eventLoop: loop, runtime: runtime)
            ctx.isInternal = true
            let collector = CollectingResponder(promise: loop.makePromise(of: InternalResponse.self))
            let d = Dispatcher(ctx: ctx, client: collector, pool: pool)
            collector.dispatcher = d
            requestStarted()
            let future = collector.promise.futureResult
            // The dispatcher holds its client weakly (a socket handler is owned by its channel);
            // this callback is what keeps the collector alive until the answer is complete.
            future.assumeIsolated().whenComplete { [self] _ in
                withExtendedLifetime(collector) { requestFinished() }
            }
            d.start()
            return future
        }
    }
}

/// Collects a response in memory for an internal request.
final class CollectingResponder: ClientResponder {
    let promise: EventLoopPromise<InternalResponse>
    var dispatcher: Dispatcher?
    private var status = HTTPResponseStatus.ok
    private var headers = HTTPHeaders()
    private var body = ByteBuffer()

    init(promise: EventLoopPromise<InternalResponse>) { self.promise = promise }

    func sendHead(_ status: HTTPResponseStatus, _ headers: consuming HTTPHeaders) {
        self.status = status
        self.headers = headers
    }

    func sendBody(_ part: ByteBuffer) {
        var p = part
        body.writeBuffer(&p)
    }

    func flush() {}

    func sendEnd() { complete() }

    func sendWhole(_ status: HTTPResponseStatus, _ headers: consuming HTTPHeaders, _ body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
        complete()
    }

    /// An internal caller has no connection to cut: it gets what came, and the request's
    /// error (recorded by the exchange) says the answer is incomplete.
    func abort(last: ByteBuffer?) {
        if var last { body.writeBuffer(&last) }
        complete()
    }

    func sendError(_ error: GatewayError) {
        guard let d = dispatcher else { return }
        let (s, h, b) = ErrorBody.render(error, as: d.ctx.route.inboundProtocol)
        sendWhole(s, h, b)
    }

    private func complete() {
        dispatcher?.log()
        dispatcher = nil  // break the cycle dispatcher → responder → dispatcher
        promise.succeed(InternalResponse(status: status, headers: headers, body: body))
    }
}
