import AsyncHTTPClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import TollgateCore
import TollgateJSON

/// The model lists (`GET …/models` on each API family): `provider/model` for every model of
/// every provider that has a key, read from the provider's own list API and cached for a few
/// minutes, plus the configured `providers.*.models` and priced models. A provider that cannot
/// be reached leaves its models out; it never fails the list. The lists are side calls, off the
/// request path: AsyncHTTPClient, made on first use and shut down with the gateway.
final class ModelCatalog: Sendable {
    static let ttl: TimeInterval = 300
    /// A provider that failed is asked again after this long, not on every list request.
    static let retryAfterFailure: TimeInterval = 30
    static let fetchTimeout = TimeAmount.seconds(5)

    private struct Entry {
        var models: [String]
        var until: TimeInterval
    }

    private let services: GatewayServices
    private let cache = NIOLockedValueBox<[String: Entry]>([:])

    init(services: GatewayServices) { self.services = services }

    static func shared(_ context: PluginBuildContext) -> ModelCatalog {
        let services = context.services
        return services.shared("ai-proxy.model-catalog") { ModelCatalog(services: services) }
    }

    /// The list in `surface`'s family shape.
    func answer(_ surface: Surface, _ ctx: RequestContext) -> EventLoopFuture<GatewayResponse> {
        let configured = Self.configured(ctx.runtime)
        let providers = ctx.runtime.providers.byName.values.filter { !$0.keys.isEmpty }.sorted { $0.name < $1.name }
        let promise = ctx.eventLoop.makePromise(of: GatewayResponse.self)
        promise.completeWithTask { [self] in
            var ids: [(id: String, owner: String)] = []
            var seen = Set<String>()
            func add(_ provider: String, _ model: String) {
                let id = "\(provider)/\(model)"
                if seen.insert(id).inserted { ids.append((id, provider)) }
            }
            for (p, m) in configured { add(p, m) }
            await withTaskGroup(of: (String, [String]).self) { group in
                for p in providers { group.addTask { (p.name, await self.models(of: p)) } }
                var fetched: [String: [String]] = [:]
                for await (name, models) in group { fetched[name] = models }
                for p in providers { for m in fetched[p.name] ?? [] { add(p.name, m) } }
            }
            return .json(Self.render(ids, as: surface))
        }
        return promise.futureResult
    }

    /// `providers.*.models` and the priced models, in file order.
    private static func configured(_ runtime: GatewayRuntime) -> [(String, String)] {
        var out: [(String, String)] = []
        for p in runtime.config.providers { for m in p.models { out.append((p.name, m)) } }
        for key in runtime.config.pricing.keys.sorted() {
            if let slash = key.firstIndex(of: "/") { out.append((String(key[..<slash]), String(key[key.index(after: slash)...]))) }
        }
        return out
    }

    /// One provider's models, from the cache or its list API.
    private func models(of provider: Provider) async -> [String] {
        let adapter = provider.kind.adapter
        guard let base = provider.endpoint, let url = adapter.modelListURL(base: base), let key = provider.keys.first?.value else { return [] }
        let cacheKey = "\(provider.name) \(url)"
        let now = Date().timeIntervalSince1970
        if let e = cache.withLockedValue({ $0[cacheKey] }), e.until > now { return e.models }
        var fields: [(String, String)] = adapter.fixedHeaders
        adapter.authHeaders(key, into: &fields)
        var request = HTTPClientRequest(url: url.description)
        request.method = .GET
        for (n, v) in fields { request.headers.add(name: n, value: v) }
        request.headers.add(name: "accept", value: "application/json")
        var models: [String] = []
        var ok = false
        do {
            let response = try await http().execute(request, timeout: Self.fetchTimeout)
            let body = try await response.body.collect(upTo: 8 << 20)
            if response.status == .ok {
                let json = try body.withUnsafeReadableBytes { buf throws(JSONParseError) in try JSON.parse(buf) }
                models = adapter.modelIDs(in: json)
                ok = true
            } else {
                services.logger.warning("model list of provider \(provider.name): HTTP \(response.status.code); its models are left out")
            }
        } catch {
            services.logger.warning("model list of provider \(provider.name) unavailable (\(type(of: error))); its models are left out")
        }
        let until = now + (ok ? Self.ttl : Self.retryAfterFailure)
        cache.withLockedValue { $0[cacheKey] = Entry(models: models, until: until) }
        return models
    }

    private func http() -> HTTPClient { SideHTTPClient.shared(services) }

    /// The family's own list shape: OpenAI `data[].id`, Anthropic `data[]` with `type: model`,
    /// Gemini `models[].name` (`models/provider/model`, which its SDK sends back as is).
    static func render(_ ids: [(id: String, owner: String)], as surface: Surface) -> [UInt8] {
        switch surface {
        case .anthropicModels:
            let data: [JSON] = ids.map {
                ["type": "model", "id": .string($0.id), "display_name": .string($0.id), "created_at": "1970-01-01T00:00:00Z"]
            }
            return JSON.object([
                "data": .array(data), "has_more": false,
                "first_id": ids.first.map { .string($0.id) } ?? .null, "last_id": ids.last.map { .string($0.id) } ?? .null,
            ]).serialized()
        case .genaiModels:
            let models: [JSON] = ids.map {
                ["name": .string("models/" + $0.id), "displayName": .string($0.id),
                 "supportedGenerationMethods": ["generateContent", "streamGenerateContent", "countTokens", "embedContent"]]
            }
            return JSON.object(["models": .array(models)]).serialized()
        default:
            let data: [JSON] = ids.map { ["id": .string($0.id), "object": "model", "created": 0, "owned_by": .string($0.owner)] }
            return JSON.object(["object": "list", "data": .array(data)]).serialized()
        }
    }
}
