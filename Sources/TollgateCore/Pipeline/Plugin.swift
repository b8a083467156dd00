import NIOCore
import NIOHTTP1
import TollgateProtocols

/// A plugin takes part in some of the phases of a request, in the order of its route's list:
///
///     access → rewrite → upstream → response (head, then each chunk) → log
///
/// Which ones is said once, by conforming to the phase's protocol (`AccessPhase`, …): the
/// route keeps one list per phase, built at load, so a request never calls a plugin for a
/// phase it ignores (this matters on the per-chunk path), and a phase cannot be implemented
/// and forgotten. All phases run on the event loop that accepted the request; a plugin that
/// must wait (a store read) returns `.wait` with a future on that loop rather than blocking it.
/// Plugins are built once per config load and shared by every request on every loop.
public protocol Plugin: Sendable {
    /// The protocol the route's clients speak, when this plugin knows it (ai-proxy does). It
    /// decides the shape of every error the route answers.
    var inboundProtocol: WireProtocol? { get }

    /// Whether this plugin reads `ctx.usage` (accounting, metrics). Only then does a
    /// passthrough answer get read for its token counts; otherwise its bytes are not parsed.
    var consumesUsage: Bool { get }

    /// How this plugin resolves the request's provider and model, when it is the one that will
    /// send it upstream; earlier phases (governance) ask the context, which asks this.
    var targetResolver: (any TargetResolving)? { get }
}

extension Plugin {
    public var inboundProtocol: WireProtocol? { nil }
    public var targetResolver: (any TargetResolving)? { nil }
    public var consumesUsage: Bool { false }
}

/// Who may pass: may answer at once (401, 403, 429, a stored result).
public protocol AccessPhase: Plugin {
    func access(_ ctx: RequestContext) -> PhaseResult
}

/// Shapes the request (headers, body): may answer at once (400).
public protocol RewritePhase: Plugin {
    func rewrite(_ ctx: RequestContext) -> PhaseResult
}

/// Runs at the start of the upstream phase, before the route's upstream plugin: may answer the
/// request itself (the cache plugin, from a stored answer), so nothing is sent upstream.
public protocol UpstreamLookupPhase: Plugin {
    func lookup(_ ctx: RequestContext) -> PhaseResult
}

/// Builds the upstream call. Exactly one plugin of a route implements it.
public protocol UpstreamPhase: Plugin {
    func upstream(_ ctx: RequestContext) -> UpstreamResult
}

/// Just before the answer's head goes to the client.
public protocol ResponseHeadPhase: Plugin {
    func responseHead(_ ctx: RequestContext, _ head: inout HTTPResponseHead)
}

/// Each part of the answer on its way to the client. A route with one makes passthrough answers
/// go chunked (the part may change length): declare it only when it is used.
public protocol ResponseChunkPhase: Plugin {
    func responseChunk(_ ctx: RequestContext, _ chunk: inout ByteBuffer)
    /// False when this config of the plugin has nothing to do per chunk (telemetry without
    /// `log_payloads`): the route then leaves it out of the chunk phase. Asked once, at load.
    var wantsChunks: Bool { get }
}

extension ResponseChunkPhase {
    public var wantsChunks: Bool { true }
}

/// After the client has its whole response, or has gone. Must not block: hand slow work
/// (store writes) to a background writer.
public protocol LogPhase: Plugin {
    func log(_ ctx: RequestContext)
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
    /// The answer needs work off the request's loop (a model list from the providers' APIs);
    /// it is sent, through the response phases, when the future completes.
    case respondLater(EventLoopFuture<GatewayResponse>)
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
