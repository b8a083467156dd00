import Foundation
import NIOCore
import NIOHTTP1
import TollgateConfig
import TollgateCore
import TollgateJSON
import TollgateProtocols
import TollgateStore

/// async (spec section 9): `x-bf-async: true` stores the request as a job and answers at once;
/// `x-bf-async-id: JOB` polls it. Phase: access only. List it after governance, so the job is
/// bound to the virtual key that submitted it (`ctx.virtualKeyName`), and before ai-proxy.
struct AsyncPlugin: AccessPhase {
    let config: AsyncConfig
    let store: (any Store)?
    let worker: AsyncWorker?


    func access(_ ctx: RequestContext) -> PhaseResult {
        if ctx.isInternal {
            // The worker running a job: the rest of the pipeline sends it upstream. Governance,
            // before us, resolved the owner's key the worker presented; without governance the
            // owner is taken from the worker's header so telemetry still names it.
            if ctx.virtualKeyName == nil, let owner = ctx.header(AsyncHeaders.owner) { ctx.virtualKeyName = owner }
            return .next
        }
        if let id = ctx.header(AsyncHeaders.poll) { return poll(id, ctx) }
        if AsyncHeaders.isTrue(ctx.header(AsyncHeaders.submit)) { return submit(ctx) }
        return .next
    }

    // MARK: submit

    func submit(_ ctx: RequestContext) -> PhaseResult {
        guard let store, let worker else {
            return .respond(.error(GatewayError(status: 503, kind: .apiError, message: "async jobs need a store; none is configured")))
        }
        let body: JSON
        do { body = try ctx.json() } catch { return .respond(.error(error)) }
        if body["stream"]?.bool == true || ctx.path.hasSuffix(":streamGenerateContent") {
            return .respond(.error(.badRequest("stream: true cannot be combined with x-bf-async", param: "stream")))
        }
        var ttl = config.ttlSeconds
        if let t = ctx.header(AsyncHeaders.ttl) {
            guard let v = Int(t.trimmingCharacters(in: .whitespaces)), v > 0 else {
                return .respond(.error(.badRequest("\(AsyncHeaders.ttl) must be a positive number of seconds")))
            }
            ttl = v
        }
        let job = AsyncJob(
            id: "job-" + UUID().uuidString.lowercased(), owner: ctx.virtualKeyName, routeID: ctx.route.id,
            uri: ctx.head.uri, headers: AsyncHeaders.storable(ctx.head.headers), body: Array(ctx.body.readableBytesView),
            ttlSeconds: ttl)
        let answer = AsyncShapes.pending(job, model: body["model"]?.string, protocol: ctx.inboundProtocol)
        // Stored before answering: an id the client holds must always be pollable. A store
        // that does not answer is a 503 with retry-after (StoreCall), and no job.
        let future = StoreCall.onLoop(ctx.eventLoop) { try await store.putJob(job) }
            .map { _ -> PhaseResult in
                worker.submit(job)
                return .respond(.json(answer))
            }
            .recover { _ in .respond(.error(StoreCall.unavailable)) }
        return .wait(future)
    }

    // MARK: poll

    func poll(_ id: String, _ ctx: RequestContext) -> PhaseResult {
        guard let store else {
            return .respond(.error(GatewayError(status: 503, kind: .apiError, message: "async jobs need a store; none is configured")))
        }
        let caller = ctx.virtualKeyName
        let proto = ctx.inboundProtocol
        let future = StoreCall.onLoop(ctx.eventLoop) { try await store.job(id: id) }
            .map { AsyncPoll.answer($0, caller: caller, protocol: proto, now: Date()) }
            .recover { _ in .respond(.error(StoreCall.unavailable)) }
        return .wait(future)
    }
}

/// What a poll answers, decided from the stored job alone (a pure function, unit-tested).
enum AsyncPoll {
    static func answer(_ job: AsyncJob?, caller: String?, protocol proto: WireProtocol, now: Date) -> PhaseResult {
        // Another key's job, or an expired one, is indistinguishable from none at all.
        guard let job, job.owner == nil || job.owner == caller else { return notFound }
        if let expires = job.expiresAt, expires <= now { return notFound }
        switch job.state {
        case .pending, .running:
            let model = (try? JSON.parse(job.body))?["model"]?.string
            return .respond(.json(AsyncShapes.pending(job, model: model, protocol: proto)))
        case .done, .failed:
            let status = HTTPResponseStatus(statusCode: job.resultStatus ?? (job.state == .done ? 200 : 500))
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "application/json")
            return .respond(.json(status: status, body: job.resultBody ?? [], headers: headers))
        }
    }

    static let notFound = PhaseResult.respond(.error(GatewayError(status: 404, kind: .notFound, message: "async job not found")))
}

struct AsyncFactory: PluginFactory {
    var name: String { "async" }
    var comesAfter: [OrderRule] {
        [OrderRule(after: "governance", because: "a job belongs to the virtual key governance found, and is admitted by it")]
    }

    /// The worker, and the jobs a previous run left unfinished. It needs no listener: jobs run
    /// in-process.
    func start(_ services: GatewayServices) async {
        guard let store = services.store else { return }
        let worker = AsyncWorker.shared(services, store: store)
        worker.start()
        await worker.recover()
    }

    func shutdown(_ services: GatewayServices) async {
        if let store = services.store { await AsyncWorker.shared(services, store: store).shutdown() }
    }

    func make(_ node: ConfigNode, _ context: PluginBuildContext) throws(ConfigError) -> any Plugin {
        let config = try AsyncConfig(node)
        let store = context.services.store
        let worker = store.map { AsyncWorker.shared(context.services, store: $0) }
        // Every route's entry sees the same config; the last one loaded sets the same keys.
        // A job runs as the virtual key that submitted it: async comes after governance (its
        // order rule), so it may read governance's section.
        var keys: [String: String] = [:]
        for vk in context.config.section(VirtualKeysSection.self)?.keys ?? [] { keys[vk.name] = vk.key }
        worker?.useKeys(keys)
        return AsyncPlugin(config: config, store: store, worker: worker)
    }
}
