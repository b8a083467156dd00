import NIOCore
import TollgateConfig
import TollgateCore
import TollgateJSON

/// ai-proxy's schema, decoded and checked at load time.
struct AIProxyConfig: Sendable {
    /// The route's surface; nil: each request's path names it.
    var surface: Surface?
    /// For a route without `surface:` whose path names none: an exact route (`uri: /chat`,
    /// APISIX style) serves OpenAI chat; a prefix route answers 404.
    var unnamedPathSurface: Surface?
    /// A fixed provider for the route (APISIX style); nil routes by model prefix.
    var provider: String?
    /// Replaces the request's model when set.
    var model: String?
    var apiKey: String?
    /// `override.endpoint`: with a path, the full URL of every call; without, a base URL.
    var endpoint: UpstreamURL?
    var endpointIsFullURL = false
    /// Fields written over the provider-bound body.
    var options: JSONObject
    var timeout: TimeAmount
    var allowDirectKeys: Bool
    /// `provider/model` pairs tried in order when the first call fails before answering.
    var fallbacks: [ResolvedTarget]

    static let keys = ["surface", "provider", "model", "api_key", "override", "options", "timeout_ms", "allow_direct_keys", "fallbacks"]
    static let defaultTimeoutMs = 600_000

    /// The surface of one request (see `Surface.of`).
    func surface(for ctx: RequestContext) -> Surface? {
        Surface.of(path: ctx.path, method: ctx.head.method, fixed: surface) ?? (surface == nil ? unnamedPathSurface : nil)
    }

    init(_ node: ConfigNode, providers: ProviderRegistry, routeIsPrefix: Bool = false) throws(ConfigError) {
        let m = try node.mapping("ai-proxy", allowed: Self.keys)
        if let surfaceName = try m.string("surface") {
            guard let s = Surface(rawValue: surfaceName) else {
                throw ConfigError(mark: m["surface"]?.mark ?? m.mark,
                    message: "ai-proxy: unknown surface '\(surfaceName)' (known: \(Surface.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            surface = s
        }
        unnamedPathSurface = routeIsPrefix ? nil : .openAIChat
        provider = try m.string("provider")
        if let p = provider, providers[p] == nil {
            throw ConfigError(mark: m["provider"]?.mark ?? m.mark,
                message: "ai-proxy: unknown provider '\(p)' (known: \(providers.names.joined(separator: ", ")))")
        }
        model = try m.pathToken("model")
        apiKey = try m.headerString("api_key").flatMap { $0.isEmpty ? nil : $0 }
        if let o = try m.mapping("override", "ai-proxy override", allowed: ["endpoint"]), let e = try o.string("endpoint"), !e.isEmpty {
            guard let u = UpstreamURL(e) else {
                throw ConfigError(mark: o["endpoint"]?.mark ?? o.mark, message: "ai-proxy: override.endpoint '\(e)' is not an http(s) URL")
            }
            endpoint = u
            endpointIsFullURL = !u.path.isEmpty
        }
        if let o = m["options"] {
            guard case .object(let obj) = try o.json() else {
                throw ConfigError(mark: o.mark, message: "ai-proxy: options must be a mapping")
            }
            options = obj
        } else {
            options = JSONObject()
        }
        let ms = try m.int("timeout_ms") ?? Self.defaultTimeoutMs
        guard ms > 0 else { throw ConfigError(mark: m["timeout_ms"]?.mark ?? m.mark, message: "ai-proxy: timeout_ms must be positive") }
        timeout = .milliseconds(Int64(ms))
        allowDirectKeys = try m.bool("allow_direct_keys") ?? false
        var fb: [ResolvedTarget] = []
        for item in try m.stringList("fallbacks") ?? [] {
            guard let slash = item.firstIndex(of: "/"), providers[String(item[..<slash])] != nil, HeaderSafety.isSafeToken(item) else {
                throw ConfigError(mark: m["fallbacks"]?.mark ?? m.mark,
                    message: "ai-proxy: fallback '\(item)' must be provider/model with a known provider")
            }
            fb.append(ResolvedTarget(provider: String(item[..<slash]), model: String(item[item.index(after: slash)...])))
        }
        fallbacks = fb
    }
}
