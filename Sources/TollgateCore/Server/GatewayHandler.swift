import NIOCore
import NIOHTTP1
import TollgateProtocols

/// Reads requests off one client connection and answers them, one at a time. It sits right
/// after NIO's HTTP codec: no pipelining helper or error handler in between, since each extra
/// handler costs a type cast per message part and the helper also re-registers the socket for
/// reading on every request. Their two jobs are done here instead: a request pipelined behind
/// one still being answered waits in `queued`, and a request NIO cannot parse gets a 400.
final class GatewayHandler: ChannelInboundHandler, ClientResponder {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case receiving(HTTPRequestHead, ByteBuffer?, GatewayRuntime)
        /// The body is over the limit: a 413 went out and the rest of the body is ignored.
        case discarding
        case running(Dispatcher)
    }

    private let server: GatewayServer
    private var state = State.idle
    private var context: ChannelHandlerContext?
    private var keepAlive = true
    /// Parts of pipelined requests that arrived while an answer was still going out.
    private var queued = CircularBuffer<HTTPServerRequestPart>()
    private var replaying = false
    private var readPaused = false
    /// Past this many queued parts the socket is not read until the queue drains.
    private static let maxQueued = 64

    init(server: GatewayServer) {
        self.server = server
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if isRunning || !queued.isEmpty {
            enqueue(part, context: context)
        } else {
            receive(part, context: context)
        }
    }

    private func receive(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            keepAlive = head.isKeepAlive
            let runtime = server.runtime.current
            let limit = runtime.config.server.maxBodyBytes
            if let len = head.headers.first(name: "content-length").flatMap(Int.init), len > limit {
                rejectTooLarge(head, limit: limit)
                return
            }
            state = .receiving(head, nil, runtime)
        case .body(var part):
            guard case .receiving(let head, let received, let runtime) = state else { return }
            state = .idle  // keep the body uniquely referenced while appending
            let limit = runtime.config.server.maxBodyBytes
            if (received?.readableBytes ?? 0) + part.readableBytes > limit {
                rejectTooLarge(head, limit: limit)
                return
            }
            // A body that arrives in one part (the usual one) is kept as NIO read it: no
            // allocation, no copy. A second part starts a buffer of the announced length.
            guard var body = received else {
                state = .receiving(head, part, runtime)
                return
            }
            if body.readableBytes + part.readableBytes > body.capacity - body.readerIndex {
                let announced = head.headers.first(name: "content-length").flatMap(Int.init).map { min($0, limit) } ?? 0
                var grown = context.channel.allocator.buffer(capacity: max(announced, body.readableBytes + part.readableBytes))
                grown.writeBuffer(&body)
                body = grown
            }
            body.writeBuffer(&part)
            state = .receiving(head, body, runtime)
        case .end:
            switch state {
            case .receiving(let head, let body, let runtime):
                dispatch(head, body ?? ByteBuffer(), runtime, context: context)
            case .discarding:
                state = .idle
            default:
                break
            }
        }
    }

    private func enqueue(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        queued.append(part)
        if queued.count > Self.maxQueued, !readPaused {
            readPaused = true
            try? context.channel.syncOptions?.setOption(.autoRead, value: false)
        }
    }

    /// Feeds queued parts through `receive` until one request is running again. Runs when an
    /// answer is complete; `replaying` keeps a request answered synchronously (a 404, a plugin's
    /// rejection) from re-entering the loop.
    private func replayQueued() {
        guard let context, !replaying else { return }
        guard keepAlive else {
            queued.removeAll()  // the connection closes after this answer
            return
        }
        replaying = true
        defer { replaying = false }
        while !isRunning, let part = queued.popFirst() {
            receive(part, context: context)
        }
        if readPaused, queued.isEmpty {
            readPaused = false
            try? context.channel.syncOptions?.setOption(.autoRead, value: true)
        }
    }

    private var isRunning: Bool {
        if case .running = state { return true }
        return false
    }

    private func rejectTooLarge(_ head: HTTPRequestHead, limit: Int) {
        let proto = Route.guessProtocol(head.uri)
        state = .discarding
        keepAlive = false
        let e = GatewayError(status: 413, kind: .requestTooLarge, message: "request body is larger than \(limit) bytes")
        let (status, headers, body) = ErrorBody.render(e, as: proto)
        write(status, headers, body, requestID: head.headers.first(name: "x-request-id") ?? RequestID.make())
    }

    private func dispatch(_ head: HTTPRequestHead, _ body: ByteBuffer, _ runtime: GatewayRuntime, context: ChannelHandlerContext) {
        let requestID = head.headers.first(name: "x-request-id") ?? RequestID.make()
        let path = RequestURI.split(head.uri).path
        guard let route = runtime.router.match(path: path, method: head.method, host: head.headers.first(name: "host")) else {
            state = .idle
            let e = GatewayError(status: 404, kind: .notFound, message: "no route for \(head.method.rawValue) \(path)")
            let (status, headers, body) = ErrorBody.render(e, as: Route.guessProtocol(path))
            write(status, headers, body, requestID: requestID)
            return
        }
        guard let pool = server.services.pools?.pool(for: context.eventLoop) else { return }
        let ctx = RequestContext(
            requestID: requestID, head: head, body: body, route: route, eventLoop: context.eventLoop, runtime: runtime)
        let d = Dispatcher(ctx: ctx, client: self, pool: pool)
        state = .running(d)
        server.requestStarted()
        d.start()
    }

    // MARK: ClientResponder

    private var dispatcher: Dispatcher? {
        if case .running(let d) = state { return d }
        return nil
    }

    /// Headers the gateway adds to every answer. Added, not replaced: transformers build fresh
    /// headers or scrub the provider's `x-request-id`, so none of these can be present.
    private func gatewayHeaders(_ headers: inout HTTPHeaders, _ ctx: RequestContext) {
        headers.reserveCapacity(headers.count + 4 + ctx.responseHeaders.count)
        if let t = ctx.target {
            headers.append([("x-request-id", ctx.requestID), ("x-tollgate-provider", t.provider), ("x-tollgate-model", t.model)])
        } else {
            headers.append([("x-request-id", ctx.requestID)])
        }
        if !ctx.responseHeaders.isEmpty { headers.add(contentsOf: ctx.responseHeaders) }
        if !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
    }

    func sendHead(_ status: HTTPResponseStatus, _ headers: consuming HTTPHeaders) {
        guard let context, let d = dispatcher else { return }
        // A chunk plugin may change the body's length: the body goes chunked then.
        if d.hasChunkPlugins { headers.remove(name: "content-length") }
        gatewayHeaders(&headers, d.ctx)
        var head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        d.responseHead(&head)
        frame(&head, length: nil)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
    }

    func sendBody(_ part: ByteBuffer) {
        guard let context, let d = dispatcher else { return }
        if d.hasChunkPlugins {
            var p = part
            d.responseChunk(&p)
            context.write(wrapOutboundOut(.body(.byteBuffer(p))), promise: nil)
        } else {
            context.write(wrapOutboundOut(.body(.byteBuffer(part))), promise: nil)
        }
    }

    func flush() { context?.flush() }

    func sendEnd() {
        guard let context, let d = dispatcher else { return }
        state = .idle
        writeEnd(context)
        finish(d)
    }

    /// Ends the answer; a promise (an allocation) only when the connection closes after it.
    private func writeEnd(_ context: ChannelHandlerContext) {
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }

    func sendWhole(_ status: HTTPResponseStatus, _ headers: consuming HTTPHeaders, _ body: ByteBuffer) {
        guard let d = dispatcher else { return }
        gatewayHeaders(&headers, d.ctx)
        var head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        d.responseHead(&head)
        var b = body
        if d.hasChunkPlugins { d.responseChunk(&b) }
        state = .idle
        write(head, b)
        finish(d)
    }

    func sendError(_ error: GatewayError) {
        guard let d = dispatcher else { return }
        let (status, headers, body) = ErrorBody.render(error, as: d.ctx.route.inboundProtocol)
        sendWhole(status, headers, body)
    }

    private func finish(_ d: Dispatcher) {
        d.log()
        server.requestFinished()
        if !queued.isEmpty { replayQueued() }
    }

    private func write(_ status: HTTPResponseStatus, _ headers: consuming HTTPHeaders, _ body: ByteBuffer, requestID: String) {
        headers.replaceOrAdd(name: "x-request-id", value: requestID)
        if !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        write(HTTPResponseHead(version: .http1_1, status: status, headers: headers), body)
    }

    /// A whole answer, framed by its length.
    private func write(_ head: consuming HTTPResponseHead, _ body: ByteBuffer) {
        guard let context else { return }
        frame(&head, length: body.readableBytes)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        writeEnd(context)
    }

    /// The encoder leaves framing to us (`GatewayServer.responseFraming`). A whole answer gets
    /// its `length`; a relayed one keeps the provider's `content-length` or goes chunked; 1xx,
    /// 204 and 304 carry neither. A provider's `transfer-encoding` never gets here: it is
    /// hop-by-hop, dropped with the others.
    private func frame(_ head: inout HTTPResponseHead, length: Int?) {
        if !head.status.mayHaveResponseBody {
            head.headers.remove(name: "content-length")
        } else if let length {
            head.headers.replaceOrAdd(name: "content-length", value: String(length))
        } else if !head.headers.contains(name: "content-length") {
            head.headers.append([("transfer-encoding", "chunked")])
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        dispatcher?.exchange?.clientWritabilityChanged(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let d = dispatcher {
            state = .idle
            d.clientGone()
            server.requestFinished()
        }
        context.fireChannelInactive()
    }

    /// NIO's decoder could not parse the request: answer 400 if nothing is being answered yet
    /// (what NIO's error handler would do, in the caller's protocol), then close.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError, !isRunning else {
            context.close(promise: nil)
            return
        }
        let path: Substring
        if case .receiving(let head, _, _) = state { path = RequestURI.split(head.uri).path } else { path = "/" }
        state = .discarding
        queued.removeAll()
        keepAlive = false
        let e = GatewayError(status: 400, kind: .invalidRequest, message: "malformed HTTP request: \(error)")
        let (status, headers, body) = ErrorBody.render(e, as: Route.guessProtocol(path))
        write(status, headers, body, requestID: RequestID.make())
    }
}
