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
    /// The model list of an `openai-models` route, rendered once at load.
    let modelList: [UInt8]

    var inboundProtocol: WireProtocol? { config.surface.wireProtocol }
    var targetResolver: (any TargetResolving)? { resolver }

    // MARK: upstream

    func upstream(_ ctx: RequestContext) -> UpstreamResult {
        if config.surface == .openAIModels { return .respond(.json(modelList)) }
        do {
            let target = try ctx.resolveTarget()
            if config.surface == .anthropicCountTokens, ctx.runtime.providers[target.provider]?.supports(.countTokens) != true {
                return .respond(.json(try TokenEstimate.countTokensAnswer(ctx)))
            }
            var calls = [try UpstreamRequestBuilder.call(for: target, ctx: ctx, config: config)]
            for fb in config.fallbacks {
                // A fallback that cannot be built (no key, no endpoint) is skipped, not fatal.
                if let c = try? UpstreamRequestBuilder.call(for: fb, ctx: ctx, config: config, isFallback: true) { calls.append(c) }
            }
            return .call(UpstreamPlan(calls))
        } catch {
            return .respond(.error(error))
        }
    }
}

struct AIProxyFactory: PluginFactory {
    var name: String { "ai-proxy" }

    func make(_ node: ConfigNode, _ context: PluginBuildContext) throws(ConfigError) -> any Plugin {
        let config = try AIProxyConfig(node, providers: context.providers)
        let names = context.providers.names
        let resolver = ModelResolver(config: config, known: Set(names), knownList: names.joined(separator: ", "))
        return AIProxyPlugin(config: config, resolver: resolver, modelList: ModelList.render(context))
    }
}
