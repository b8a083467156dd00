import NIOCore
import NIOHTTP1
import TollgateProtocols

/// The life of one request, in one place:
///
///     access ─▶ rewrite ─▶ upstream ─▶ response head ─▶ response chunks ─▶ (client done) ─▶ log
///        │          │          │
///        └──────────┴──────────┴─▶ a direct answer (error, stored result) ─▶ log
///
/// Access and rewrite run each plugin of their list in order until one answers. The upstream
/// plugin returns a plan that an `UpstreamExchange` carries out; response phases run inside the
/// exchange as parts pass; the log phase runs once the client has everything, or has gone.
final class Dispatcher {
    let ctx: RequestContext
    private weak var client: (any ClientResponder)?
    private let pool: ConnectionPool
    private(set) var exchange: UpstreamExchange?
    private var logged = false

    init(ctx: RequestContext, client: any ClientResponder, pool: ConnectionPool) {
        self.ctx = ctx
        self.client = client
        self.pool = pool
    }

    func start() {
        run(ctx.route.access, from: 0, phase: { $0.access($1) }) { [self] in
            run(ctx.route.rewrite, from: 0, phase: { $0.rewrite($1) }) { [self] in
                upstream()
            }
        }
    }

    private func run(
        _ plugins: [any Plugin], from start: Int, phase: @escaping (any Plugin, RequestContext) -> PhaseResult,
        then next: @escaping () -> Void
    ) {
        var i = start
        while i < plugins.count {
            guard proceed(phase(plugins[i], ctx), plugins, resume: i + 1, phase, next) else { return }
            i += 1
        }
        next()
    }

    /// Acts on one plugin's answer; true means go on with the next plugin now.
    private func proceed(
        _ result: PhaseResult, _ plugins: [any Plugin], resume: Int,
        _ phase: @escaping (any Plugin, RequestContext) -> PhaseResult, _ next: @escaping () -> Void
    ) -> Bool {
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
                    if proceed(r, plugins, resume: resume, phase, next) { run(plugins, from: resume, phase: phase, then: next) }
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
            guard let client else { return }
            let x = UpstreamExchange(ctx: ctx, plan: plan, client: client, pool: pool)
            exchange = x
            x.start()
        }
    }

    private func respond(_ r: GatewayResponse) {
        guard let client else { return }
        switch r {
        case .error(let e):
            ctx.error = e
            ctx.status = e.status
            client.sendError(e)
        case .json(let status, let body, let headers):
            ctx.status = Int(status.code)
            var h = headers
            if !h.contains(name: "content-type") { h.add(name: "content-type", value: "application/json") }
            client.sendWhole(status, h, ByteBuffer(bytes: body))
        }
    }

    /// Response-head phase, just before the head goes to the client.
    func responseHead(_ head: inout HTTPResponseHead) {
        for p in ctx.route.responseHead { p.responseHead(ctx, &head) }
    }

    /// Response-chunk phase, for each part on its way to the client.
    func responseChunk(_ part: inout ByteBuffer) {
        for p in ctx.route.responseChunk { p.responseChunk(ctx, &part) }
    }

    var hasChunkPlugins: Bool { !ctx.route.responseChunk.isEmpty }

    /// Log phase: once per request, after the last byte went out or the client left.
    func log() {
        guard !logged else { return }
        logged = true
        ctx.end = .now()
        ctx.settleCost()
        for p in ctx.route.log { p.log(ctx) }
    }

    func clientGone() {
        ctx.clientDisconnected = true
        exchange?.cancel()
        log()
    }
}
