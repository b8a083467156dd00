import NIOCore
import NIOHTTP1
import Prometheus
import TollgateConfig
import TollgateCore
import TollgateJSON
import TollgateStore

/// cache: answers a request from a stored answer (plugins/cache/README.md). Phases, in order:
/// upstream lookup (before ai-proxy sends anything), response head, response chunk, log.
struct CachePlugin: UpstreamLookupPhase, ResponseHeadPhase, ResponseChunkPhase, LogPhase {
    let config: CacheConfig
    let index: CacheIndex
    let embeddings: EmbeddingClient?
    /// `tollgate_cache_lookups_total` for this route and mode, found at load.
    let counters: (hit: Counter, miss: Counter, skip: Counter)

    enum Entry: ContextSlot { typealias Value = Slot }

    /// One request's part in the cache. `@unchecked`: it is made, read and changed only on the
    /// request's event loop, like the context that holds it.
    final class Slot: @unchecked Sendable {
        enum Decision { case skipped, missed, hit }
        var decision = Decision.skipped
        var key: CacheKey?
        var embedding: [Float]?
        var store = false
        var status = 0
        var contentType = "application/json"
        var captured: [UInt8] = []
        var tooLarge = false
    }

    // MARK: upstream lookup

    func lookup(_ ctx: RequestContext) -> PhaseResult {
        guard Self.isGeneration(ctx) else { return .next }
        let slot = Slot()
        ctx[slot: Entry.self] = slot
        let cacheControl = ctx.header("cache-control")?.lowercased() ?? ""
        let noCache = cacheControl.contains("no-cache"), noStore = cacheControl.contains("no-store")
        let body: JSON
        do { body = try ctx.json() } catch { return .next }
        if !config.includeTools, let tools = body["tools"]?.array, !tools.isEmpty { return .next }
        if !config.includeTools, body["functions"] != nil { return .next }
        let scope = ctx.virtualKeyName.map { "vk:" + $0 } ?? "route"
        let key = CacheKey(scope: scope, route: ctx.route.id, path: ctx.path, body: body, semantic: config.mode == .semantic)
        slot.key = key
        slot.store = !noStore
        if noCache {
            count(ctx, .skipped)
            return .next
        }
        slot.decision = .missed
        switch config.mode {
        case .exact:
            if let e = index.get(key.exact, now: CacheIndex.now()) { return .respond(hit(ctx, slot, e)) }
            guard index.storeIsShared, let store = index.store else {
                count(ctx, .missed)
                return .next
            }
            // A fleet: another instance may have stored it.
            let p = ctx.eventLoop.makePromise(of: PhaseResult.self)
            StoreCall.onLoop(ctx.eventLoop) { try await store.cachedAnswer(key: key.exact, now: CacheIndex.now()) }
                .assumeIsolated().whenComplete { result in
                    if case .success(let e?) = result {
                        index.remember(e)
                        p.succeed(.respond(hit(ctx, slot, e)))
                    } else {
                        count(ctx, .missed)
                        p.succeed(.next)
                    }
                }
            return .wait(p.futureResult)
        case .semantic:
            guard let embeddings, let model = config.embedding else { return .next }
            let providers = ctx.runtime.providers, threshold = config.threshold
            let shared = index.storeIsShared ? index.store : nil
            let index = self.index
            let text = key.promptText
            let p = ctx.eventLoop.makePromise(of: PhaseResult.self)
            ctx.eventLoop.makeFutureWithTask { () async throws -> ([Float], CachedAnswer?) in
                let v = try await embeddings.embed(text, with: model, providers: providers)
                let now = CacheIndex.now()
                var candidates = index.partition(key.partition, now: now)
                if let shared { candidates += try await shared.cachedAnswers(partition: key.partition, now: now, limit: 1000) }
                var best: (CachedAnswer, Double)?
                for c in candidates {
                    guard let e = c.embedding else { continue }
                    let s = EmbeddingClient.similarity(v, e)
                    if s >= threshold, s > (best?.1 ?? -1) { best = (c, s) }
                }
                return (v, best?.0)
            }.assumeIsolated().whenComplete { result in
                switch result {
                case .success(let (v, found)):
                    slot.embedding = v
                    if let found {
                        p.succeed(.respond(hit(ctx, slot, found)))
                    } else {
                        count(ctx, .missed)
                        p.succeed(.next)
                    }
                case .failure:
                    // No embedding, no lookup: the request goes upstream and is not stored.
                    slot.store = false
                    count(ctx, .missed)
                    p.succeed(.next)
                }
            }
            return .wait(p.futureResult)
        }
    }

    private func hit(_ ctx: RequestContext, _ slot: Slot, _ e: CachedAnswer) -> GatewayResponse {
        slot.decision = .hit
        slot.store = false
        ctx.costUSD = 0  // no provider was called: nothing used, nothing to pay
        count(ctx, .hit)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: e.contentType)
        headers.add(name: "x-tollgate-cache", value: "hit")
        return .json(status: HTTPResponseStatus(statusCode: e.status), body: e.body, headers: headers)
    }

    private func count(_ ctx: RequestContext, _ result: Slot.Decision) {
        switch result {
        case .hit:
            ctx.cacheResult = "hit"
            counters.hit.increment()
        case .missed:
            ctx.cacheResult = "miss"
            counters.miss.increment()
        case .skipped:
            counters.skip.increment()
        }
    }

    /// Generation only: embeddings, token counts and model lists pass through.
    static func isGeneration(_ ctx: RequestContext) -> Bool {
        guard ctx.head.method == .POST else { return false }
        let p = ctx.path
        return !(p.bytesHaveSuffix("/embeddings") || p.bytesHaveSuffix("/count_tokens") || p.bytesHaveSuffix("/input_tokens")
            || p.bytesHaveSuffix(":countTokens") || p.bytesHaveSuffix(":embedContent") || p.bytesHaveSuffix(":batchEmbedContents"))
    }

    // MARK: response head

    func responseHead(_ ctx: RequestContext, _ head: inout HTTPResponseHead) {
        guard let slot = ctx[slot: Entry.self], slot.decision != .hit else { return }
        head.headers.replaceOrAdd(name: "x-tollgate-cache", value: "miss")
        slot.status = Int(head.status.code)
        if let ct = head.headers.first(name: "content-type") { slot.contentType = ct }
    }

    // MARK: response chunk

    func responseChunk(_ ctx: RequestContext, _ chunk: inout ByteBuffer) {
        guard let slot = ctx[slot: Entry.self], slot.store, slot.status == 200, !slot.tooLarge else { return }
        guard slot.captured.count + chunk.readableBytes <= config.maxEntryBytes else {
            slot.tooLarge = true
            slot.captured = []
            return
        }
        slot.captured.append(contentsOf: chunk.readableBytesView)
    }

    // MARK: log

    func log(_ ctx: RequestContext) {
        guard let slot = ctx[slot: Entry.self], let key = slot.key, slot.store, slot.status == 200, !slot.tooLarge,
              !ctx.clientDisconnected, ctx.error == nil, !slot.captured.isEmpty
        else { return }
        if config.mode == .semantic, slot.embedding == nil { return }
        let now = CacheIndex.now()
        index.put(CachedAnswer(
            key: config.mode == .exact ? key.exact : key.exact + ".s", partition: key.partition, embedding: slot.embedding,
            status: slot.status, contentType: slot.contentType, body: slot.captured, createdAt: now, expiresAt: now + config.ttlSeconds))
    }
}

struct CacheFactory: PluginFactory {
    var name: String { "cache" }

    func make(_ node: ConfigNode, _ context: PluginBuildContext) throws(ConfigError) -> any Plugin {
        let config = try CacheConfig(node, providers: context.providers)
        let index = CacheIndex.shared(context.services)
        index.bound(config.maxEntries)
        let metrics = TelemetryState.shared(context.services).metrics
        let counter = { (result: String) in metrics.cacheLookup(route: context.route.id, mode: config.mode.rawValue, result: result) }
        return CachePlugin(
            config: config, index: index,
            embeddings: config.mode == .semantic ? EmbeddingClient.shared(context.services) : nil,
            counters: (counter("hit"), counter("miss"), counter("skip")))
    }
}
