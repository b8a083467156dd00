import NIOCore
import NIOHTTP1
import TollgateProtocols

/// The life of one request, in one place, for a client's request and the gateway's own alike:
///
///     route ─▶ access ─▶ rewrite ─▶ upstream ─▶ response head ─▶ response chunks ─▶ end ─▶ log
///                │          │          │
///                └──────────┴──────────┴─▶ a direct answer (error, stored result) ─▶ log
///
/// Access and rewrite run each plugin of their list in order until one answers; so do the
/// upstream phase's lookups (a stored answer), before the upstream plugin returns a plan that an `UpstreamExchange` carries out; every part of the answer, the
/// exchange's or a direct one, comes back here (`ClientResponder`) and passes the response
/// phases on its way to the `ResponseSink`, which only frames and writes. The log phase runs
/// once the sink has everything, or the client has gone.
final class Dispatcher: ClientResponder {
    let ctx: RequestContext
    /// Strong: the sink (a connection's handler, an internal collector) holds the dispatcher
    /// only while the request runs, and `complete` lets go of it.
    private var sink: (any ResponseSink)?
    private let pool: ConnectionPool
    private(set) var exchange: UpstreamExchange?
    private var logged = false

    init(ctx: RequestContext, sink: any ResponseSink, pool: ConnectionPool) {
        self.ctx = ctx
        self.sink = sink
        self.pool = pool
    }

    /// The one entry of every request: matches its route and starts its phases. Nil when no
    /// route claims it; the sink then has the 404, whole.
    static func begin(
        head: HTTPRequestHead, body: ByteBuffer, runtime: GatewayRuntime, eventLoop: any EventLoop,
        pool: ConnectionPool, sink: any ResponseSink, isInternal: Bool = false
    ) -> Dispatcher? {
        let requestID = head.headers.first(name: "x-request-id") ?? RequestID.make()
        let path = RequestURI.split(head.uri).path
        let host = isInternal ? nil : head.headers.first(name: "host")
        guard let route = runtime.router.match(path: path, method: head.method, host: host) else {
            let e = GatewayError(status: 404, kind: .notFound, message: "no route for \(head.method.rawValue) \(path)")
            var (status, headers, b) = ErrorBody.render(e, as: Route.guessProtocol(path))
            headers.add(name: "x-request-id", value: requestID)
            sink.writeWhole(HTTPResponseHead(version: .http1_1, status: status, headers: headers), b)
            sink.requestDone()
            return nil
        }
        let ctx = RequestContext(requestID: requestID, head: head, body: body, route: route, eventLoop: eventLoop, runtime: runtime)
        ctx.isInternal = isInternal
        let d = Dispatcher(ctx: ctx, sink: sink, pool: pool)
        d.advance(.access, from: 0)
        return d
    }

    private enum Stage {
        case access
        case rewrite
        /// The upstream phase's lookups, before its plugin.
        case lookup
    }

    /// Runs the stage's plugins from `start` until one answers or waits, then moves on to the
    /// next stage; a waiting plugin resumes here on the request's loop.
    private func advance(_ stage: Stage, from start: Int) {
        var i = start
        switch stage {
        case .access:
            let plugins = ctx.route.access
            while i < plugins.count {
                guard proceed(plugins[i].access(ctx), stage, resume: i + 1) else { return }
                i += 1
            }
        case .rewrite:
            let plugins = ctx.route.rewrite
            while i < plugins.count {
                guard proceed(plugins[i].rewrite(ctx), stage, resume: i + 1) else { return }
                i += 1
            }
        case .lookup:
            let plugins = ctx.route.lookups
            while i < plugins.count {
                guard proceed(plugins[i].lookup(ctx), stage, resume: i + 1) else { return }
                i += 1
            }
        }
        switch stage {
        case .access: advance(.rewrite, from: 0)
        case .rewrite: advance(.lookup, from: 0)
        case .lookup: upstream()
        }
    }

    /// Acts on one plugin's answer; true means go on with the next plugin now.
    private func proceed(_ result: PhaseResult, _ stage: Stage, resume: Int) -> Bool {
        switch result {
        case .next:
            return true
        case .respond(let r):
            respond(r)
            return false
        case .wait(let future):
            future.hop(to: ctx.eventLoop).assumeIsolated().whenComplete { [self] outcome in
                guard !ctx.clientDisconnected else { return }
                switch outcome {
                case .success(let r):
                    if proceed(r, stage, resume: resume) { advance(stage, from: resume) }
                case .failure(let error):
                    respond(.error(GatewayError(status: 500, kind: .apiError, message: "plugin failed: \(error)")))
                }
            }
            return false
        }
    }

    private func upstream() {
        guard let plugin = ctx.route.upstream else {
            respond(.error(GatewayError(status: 500, kind: .apiError, message: "route \(ctx.route.id) has no upstream plugin")))
            return
        }
        switch plugin.upstream(ctx) {
        case .respond(let r):
            respond(r)
        case .call(let plan):
            let x = UpstreamExchange(ctx: ctx, plan: plan, client: self, pool: pool)
            exchange = x
            x.start()
        case .respondLater(let future):
            future.hop(to: ctx.eventLoop).assumeIsolated().whenComplete { [self] outcome in
                guard !ctx.clientDisconnected else { return }
                switch outcome {
                case .success(let r): respond(r)
                case .failure(let error): respond(.error(GatewayError(status: 500, kind: .apiError, message: "plugin failed: \(error)")))
                }
            }
        }
    }

    private func respond(_ r: GatewayResponse) {
        switch r {
        case .error(let e):
            ctx.error = e
            ctx.status = e.status
            sendError(e)
        case .json(let status, let body, let headers):
            ctx.status = Int(status.code)
            var h = headers
            if !h.contains(name: "content-type") { h.add(name: "content-type", value: "application/json") }
            sendWhole(status, h, ByteBuffer(bytes: body))
        }
    }

    // MARK: the answer, through the response phases (ClientResponder)

    func sendHead(_ status: HTTPResponseStatus, _ headers: consuming HTTPHeaders) {
        guard let sink else { return }
        // A chunk plugin may change the body's length: the body goes chunked then.
        if hasChunkPlugins { headers.remove(name: "content-length") }
        gatewayHeaders(&headers)
        var head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        responseHead(&head)
        sink.writeHead(consume head)
    }

    func sendBody(_ part: ByteBuffer) {
        guard let sink else { return }
        if hasChunkPlugins {
            var p = part
            responseChunk(&p)
            sink.writeBody(p)
        } else {
            sink.writeBody(part)
        }
    }

    func flush() { sink?.flush() }

    func sendEnd() {
        guard let sink else { return }
        sink.writeEnd()
        complete(sink)
    }

    func sendWhole(_ status: HTTPResponseStatus, _ headers: consuming HTTPHeaders, _ body: ByteBuffer) {
        guard let sink else { return }
        gatewayHeaders(&headers)
        var head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        responseHead(&head)
        var b = body
        if hasChunkPlugins { responseChunk(&b) }
        sink.writeWhole(consume head, b)
        complete(sink)
    }

    func sendError(_ error: GatewayError) {
        let (status, headers, body) = ErrorBody.render(error, as: ctx.inboundProtocol)
        sendWhole(status, headers, body)
    }

    func abort(last: ByteBuffer?) {
        guard let sink else { return }
        var tail = last
        if hasChunkPlugins, var t = tail {
            responseChunk(&t)
            tail = t
        }
        sink.cut(last: tail)
        complete(sink)
    }

    /// Headers the gateway adds to every answer. Added, not replaced: transformers build fresh
    /// headers or scrub the provider's `x-request-id`, so none of these can be present.
    private func gatewayHeaders(_ headers: inout HTTPHeaders) {
        headers.reserveCapacity(headers.count + 4 + ctx.responseHeaders.count)
        if let t = ctx.target {
            headers.append([("x-request-id", ctx.requestID), ("x-tollgate-provider", t.provider), ("x-tollgate-model", t.model)])
        } else {
            headers.append([("x-request-id", ctx.requestID)])
        }
        if !ctx.responseHeaders.isEmpty { headers.add(contentsOf: ctx.responseHeaders) }
    }

    /// Response-head phase, just before the head goes to the client.
    private func responseHead(_ head: inout HTTPResponseHead) {
        for p in ctx.route.responseHead { p.responseHead(ctx, &head) }
    }

    /// Response-chunk phase, for each part on its way to the client.
    private func responseChunk(_ part: inout ByteBuffer) {
        for p in ctx.route.responseChunk { p.responseChunk(ctx, &part) }
    }

    private var hasChunkPlugins: Bool { !ctx.route.responseChunk.isEmpty }

    /// The sink has the whole answer: log, then let the sink take its next request.
    private func complete(_ sink: any ResponseSink) {
        self.sink = nil
        exchange = nil  // it holds this dispatcher as its client: the cycle ends with the request
        log()
        sink.requestDone()
    }

    /// Log phase: once per request, after the last byte went out or the client left.
    private func log() {
        guard !logged else { return }
        logged = true
        ctx.end = .now()
        ctx.settleCost()
        for p in ctx.route.log { p.log(ctx) }
    }

    /// The client went away mid-request: stop the upstream call; nothing more is sent.
    func clientGone() {
        ctx.clientDisconnected = true
        sink = nil
        exchange?.cancel()
        exchange = nil
        log()
    }
}

/// Where a request's answer goes once the pipeline has shaped it: a client connection frames
/// and writes it, an internal caller collects it. No phase runs here.
protocol ResponseSink: AnyObject {
    /// The head of an answer relayed part by part: it keeps the provider's `content-length`
    /// when it has one, else it goes chunked. Heads are `consuming` here and in `writeWhole`:
    /// the sink adds its framing to them, and a head the caller still held would be copied on
    /// that first change.
    func writeHead(_ head: consuming HTTPResponseHead)
    func writeBody(_ part: ByteBuffer)
    func flush()
    /// Ends a relayed answer.
    func writeEnd()
    /// A complete answer, framed by its length.
    func writeWhole(_ head: consuming HTTPResponseHead, _ body: ByteBuffer)
    /// Ends a relayed answer that broke off: `last` goes out, then the connection is cut.
    func cut(last: ByteBuffer?)
    /// The request is over and logged: the sink may go on with the next one.
    func requestDone()
}
