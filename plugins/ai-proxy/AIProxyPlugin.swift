import NIOCore
import NIOHTTP1
import TollgateConfig
import TollgateCore
import TollgateJSON
import TollgateProtocols

/// ai-proxy: sends the request to its provider in the provider's protocol and brings the
/// answer back in the client's. Phases: upstream only (everything else it knows — the
/// route's protocol and how to find the model — it lends to the pipeline at load time).
struct AIProxyPlugin: UpstreamPhase {
    let config: AIProxyConfig
    let resolver: ModelResolver
    /// The model lists: configured models, and each provider's own list, fetched and cached.
    let models: ModelCatalog

    /// Nil without `surface:`: each request's path says (`RequestContext.inboundProtocol`).
    var inboundProtocol: WireProtocol? { config.surface?.wireProtocol }
    var targetResolver: (any TargetResolving)? { resolver }

    // MARK: upstream

    func upstream(_ ctx: RequestContext) -> UpstreamResult {
        guard let surface = config.surface(for: ctx) else { return .respond(.error(AIProxyErrors.noSurface(ctx))) }
        if surface.isModelList { return .respondLater(models.answer(surface, ctx)) }
        do {
            // Resolved here with the surface in hand, unless an earlier phase (governance) did.
            let target: ResolvedTarget
            if let t = ctx.target {
                target = t
            } else {
                target = try resolver.resolve(ctx, surface)
                ctx.target = target
            }
            if surface.isTokenCount, !Self.canCount(surface, at: ctx.runtime.providers[target.provider]) {
                var headers = HTTPHeaders()
                headers.add(name: "x-tollgate-token-count", value: "estimate")
                return .respond(.json(status: .ok, body: try TokenEstimate.countTokensAnswer(ctx, for: surface.wireProtocol), headers: headers))
            }
            let board = ctx.runtime.health
            let group = ctx.modelGroup
            var fallbacks = config.fallbacks
            if let group { fallbacks = group.fallbacks + fallbacks }
            var first = target
            var firstIsFallback = group != nil
            // A plain target cooling down: its first fallback that is not goes first, the
            // target itself last (docs/routing.md).
            if group == nil, !fallbacks.isEmpty, board.coolingUntil(target.qualified) != nil,
               let i = fallbacks.firstIndex(where: { board.coolingUntil($0.qualified) == nil }) {
                first = fallbacks.remove(at: i)
                fallbacks.append(target)
                firstIsFallback = true
            }
            let stats = group.flatMap { g in ctx.groupTried == 0 ? nil : g.stats(of: ctx.groupTried.trailingZeroBitCount) }
            let call = try UpstreamRequestBuilder.call(
                for: first, surface: surface, ctx: ctx, config: config, isFallback: firstIsFallback, stats: stats)
            let retries = ctx.runtime.groups.health.retries
            guard retries > 0 || !fallbacks.isEmpty else { return .call(UpstreamPlan([call])) }
            let more = AlternativeCalls(ctx: ctx, surface: surface, config: config, retries: retries, fallbacks: fallbacks)
            return .call(UpstreamPlan([call], more: more))
        } catch {
            return .respond(.error(error))
        }
    }

    /// Whether the target provider counts this surface's tokens itself. OpenAI counts only in
    /// its Responses API (`responses/input_tokens`): Anthropic and Gemini count requests
    /// bound for OpenAI models get the estimate.
    private static func canCount(_ surface: Surface, at provider: Provider?) -> Bool {
        guard let provider, provider.supports(.countTokens) else { return false }
        return provider.wireProtocol(.countTokens) != .openAIResponses || surface == .openAIResponsesInputTokens
    }
}

struct AIProxyFactory: PluginFactory {
    var name: String { "ai-proxy" }

    func make(_ node: ConfigNode, _ context: PluginBuildContext) throws(ConfigError) -> any Plugin {
        let config = try AIProxyConfig(node, providers: context.providers, routeIsPrefix: context.route.isPrefix)
        let names = context.providers.names
        let resolver = ModelResolver(config: config, known: Set(names), knownList: names.joined(separator: ", "))
        return AIProxyPlugin(config: config, resolver: resolver, models: ModelCatalog.shared(context))
    }
}
