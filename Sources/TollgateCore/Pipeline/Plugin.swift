import NIOCore
import NIOHTTP1
import TollgateProtocols

/// A plugin takes part in some of the phases of a request, in the order of its route's list:
///
///     access → rewrite → upstream → response (head, then each chunk) → log
///
/// Every method has a default that does nothing, so a plugin reads as the phases it cares
/// about. All phases run on the event loop that accepted the request; a plugin that must wait
/// (a store read) returns `.wait` with a future on that loop rather than blocking it.
/// Plugins are built once per config load and shared by every request on every loop.
public protocol Plugin: Sendable {
    /// Which phases this plugin implements; the route keeps per-phase lists so a request never
    /// calls a plugin for a phase it ignores (this matters on the per-chunk path).
    var phases: PluginPhases { get }

    /// The protocol the route's clients speak, when this plugin knows it (ai-proxy does). It
    /// decides the shape of every error the route answers.
    var inboundProtocol: WireProtocol? { get }

    /// Whether this plugin reads `ctx.usage` (accounting, metrics). Only then does a
    /// passthrough answer get read for its token counts; otherwise its bytes are not parsed.
    var consumesUsage: Bool { get }

    /// How this plugin resolves the request's provider and model, when it is the one that will
    /// send it upstream; earlier phases (governance) ask the context, which asks this.
    var targetResolver: (any TargetResolving)? { get }

    func access(_ ctx: RequestContext) -> PhaseResult
    func rewrite(_ ctx: RequestContext) -> PhaseResult
    /// Builds the upstream call. Exactly one plugin of a route implements it.
    func upstream(_ ctx: RequestContext) -> UpstreamResult
    func responseHead(_ ctx: RequestContext, _ head: inout HTTPResponseHead)
    func responseChunk(_ ctx: RequestContext, _ chunk: inout ByteBuffer)
    /// After the client has its whole response, or has gone. Must not block: hand slow work
    /// (store writes) to a background writer.
    func log(_ ctx: RequestContext)
}

public struct PluginPhases: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let access = PluginPhases(rawValue: 1 << 0)
    public static let rewrite = PluginPhases(rawValue: 1 << 1)
    public static let upstream = PluginPhases(rawValue: 1 << 2)
    public static let responseHead = PluginPhases(rawValue: 1 << 3)
    public static let responseChunk = PluginPhases(rawValue: 1 << 4)
    public static let log = PluginPhases(rawValue: 1 << 5)
}

extension Plugin {
    public var inboundProtocol: WireProtocol? { nil }
    public var targetResolver: (any TargetResolving)? { nil }
    public var consumesUsage: Bool { false }
    public func access(_ ctx: RequestContext) -> PhaseResult { .next }
    public func rewrite(_ ctx: RequestContext) -> PhaseResult { .next }
    public func upstream(_ ctx: RequestContext) -> UpstreamResult {
        .respond(.error(GatewayError(status: 500, kind: .apiError, message: "route has no upstream plugin")))
    }
    public func responseHead(_ ctx: RequestContext, _ head: inout HTTPResponseHead) {}
    public func responseChunk(_ ctx: RequestContext, _ chunk: inout ByteBuffer) {}
    public func log(_ ctx: RequestContext) {}
}

/// What an access or rewrite phase decided.
public enum PhaseResult: Sendable {
    case next
    /// Answer the client now; later phases (but log) are skipped.
    case respond(GatewayResponse)
    /// Decide later, on the request's event loop.
    case wait(EventLoopFuture<PhaseResult>)
}

/// What the upstream phase decided.
public enum UpstreamResult {
    case call(UpstreamPlan)
    case respond(GatewayResponse)
}

/// Resolves which provider and model a request is for, from its body and route.
public protocol TargetResolving: Sendable {
    func resolve(_ ctx: RequestContext) throws(GatewayError) -> ResolvedTarget
}

public struct ResolvedTarget: Sendable, Equatable {
    /// The provider's configured name (`openai`, `local-vllm`).
    public var provider: String
    /// The model as the provider will see it, prefix stripped.
    public var model: String
    public init(provider: String, model: String) {
        self.provider = provider
        self.model = model
    }
    /// `provider/model`, the form virtual-key patterns and prices use.
    public var qualified: String { "\(provider)/\(model)" }
}
