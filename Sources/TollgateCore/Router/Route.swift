import NIOHTTP1
import TollgateProtocols

/// A route as the request path uses it: its plugin chain split per phase at load time, so a
/// request walks only the plugins that do something in each phase.
public final class Route: Sendable {
    public let id: String
    public let uri: String
    public let methods: Set<String>?
    public let host: String?
    public let plugins: [any Plugin]
    let access: [any AccessPhase]
    let rewrite: [any RewritePhase]
    let lookups: [any UpstreamLookupPhase]
    let upstream: (any UpstreamPhase)?
    let responseHead: [any ResponseHeadPhase]
    let responseChunk: [any ResponseChunkPhase]
    let log: [any LogPhase]
    /// The protocol a plugin fixed for the route (ai-proxy's `surface:`); nil when each
    /// request's path says it (`RequestContext.inboundProtocol`).
    public let fixedProtocol: WireProtocol?
    public let targetResolver: (any TargetResolving)?
    /// Some plugin of the route reads usage, so answers must be read for token counts.
    public let needsUsage: Bool

    public init(id: String, uri: String, methods: Set<String>?, host: String?, plugins: [any Plugin]) {
        self.id = id
        self.uri = uri
        self.methods = methods
        self.host = host?.lowercased()
        self.plugins = plugins
        access = plugins.compactMap { $0 as? any AccessPhase }
        rewrite = plugins.compactMap { $0 as? any RewritePhase }
        lookups = plugins.compactMap { $0 as? any UpstreamLookupPhase }
        upstream = plugins.lazy.compactMap { $0 as? any UpstreamPhase }.first
        responseHead = plugins.compactMap { $0 as? any ResponseHeadPhase }
        responseChunk = plugins.compactMap { ($0 as? any ResponseChunkPhase).flatMap { $0.wantsChunks ? $0 : nil } }
        log = plugins.compactMap { $0 as? any LogPhase }
        fixedProtocol = plugins.lazy.compactMap(\.inboundProtocol).first
        targetResolver = plugins.lazy.compactMap(\.targetResolver).first
        needsUsage = plugins.contains { $0.consumesUsage }
    }

    func accepts(method: HTTPMethod, host requestHost: String?) -> Bool {
        if let methods, !methods.contains(method.rawValue) { return false }
        if let host {
            guard let h = requestHost else { return false }
            // Compare without the port: `Host: api.example.com:8080` matches `api.example.com`.
            let bare = h.split(separator: ":", maxSplits: 1).first.map(String.init) ?? h
            return bare.lowercased() == host
        }
        return true
    }

    /// The protocol a path belongs to, for routes that do not fix one and for paths no route
    /// claims: the base URL's API family (`/anthropic`, `/genai`), else what the path ends
    /// with (an Anthropic SDK pointed at the gateway's root calls `/v1/messages`).
    public static func guessProtocol(_ path: Substring) -> WireProtocol {
        if path.bytesHavePrefix("/anthropic") { return .anthropicMessages }
        if path.bytesHavePrefix("/genai") { return .gemini }
        if path.bytesHaveSuffix("/messages") || path.bytesHaveSuffix("/messages/count_tokens") { return .anthropicMessages }
        if path.bytesHaveSuffix("/responses") || path.bytesHaveSuffix("/responses/input_tokens") { return .openAIResponses }
        if path.bytesHaveSuffix("/embeddings") { return .openAIEmbeddings }
        if path.utf8.contains(UInt8(ascii: ":")), path.bytesRange(of: "/models/") != nil { return .gemini }
        return .openAIChat
    }
}
