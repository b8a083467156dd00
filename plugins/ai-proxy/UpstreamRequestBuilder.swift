import NIOCore
import NIOHTTP1
import TollgateCore
import TollgateJSON
import TollgateProtocols

/// Builds the provider-bound request for one target: the operation, URL, credentials and
/// headers here; the body and the transformer that brings the answer back by the call's
/// strategy (`Strategies/`: passthrough, translate, embeddings), chosen once per call.
enum UpstreamRequestBuilder {
    static func call(
        for target: ResolvedTarget, surface: Surface, ctx: RequestContext, config: AIProxyConfig, isFallback: Bool = false,
        stats: TargetStats? = nil, avoidKey: Int? = nil
    ) throws(GatewayError) -> UpstreamCall {
        guard var provider = ctx.runtime.providers[target.provider] else {
            throw GatewayError.badRequest("unknown provider '\(target.provider)'", param: "model")
        }
        let stream = try isStreaming(surface, ctx: ctx)
        ctx.isStream = stream
        let op: ProviderOperation
        switch surface {
        case .openAIResponses: op = provider.responsesOperation(stream: stream)
        case .openAIEmbeddings: op = .embeddings
        case .genaiEmbed:
            // `embedContent` stays itself where the provider has it (Gemini, Vertex); elsewhere
            // the one text goes as a list of one.
            op = GenAIPath.method(ctx.path) == "embedContent" && provider.supports(.embedOne) ? .embedOne : .embeddings
        case .anthropicCountTokens, .openAIResponsesInputTokens, .genaiCountTokens: op = .countTokens
        case .openAICompletions: op = .completions
        case .anthropicMessages:
            // Thinking asked of an OpenAI reasoning model: its Responses API returns the
            // reasoning, Chat Completions does not.
            let thinking = try ctx.topLevel("thinking")?["type"]?.string == "enabled"
            op = thinking ? provider.responsesOperation(stream: stream) : .chat(stream: stream)
        case .openAIChat, .azureChat, .genai, .openAIModels, .anthropicModels, .genaiModels: op = .chat(stream: stream)
        }
        guard provider.supports(op) else {
            throw GatewayError.badRequest("provider '\(provider.name)' has no \(op.apiName) API", param: "model")
        }
        // Azure: the client names its resource per request (Bifrost's header).
        if let h = provider.kind.adapter.endpointHeader, let e = ctx.header(h), let u = UpstreamURL(e) { provider.endpoint = u }

        // The URL: a route's full-URL override wins (APISIX), a base override replaces the
        // provider's endpoint; fallbacks always use their own provider's endpoint.
        let url: UpstreamURL?
        if !isFallback, let e = config.endpoint, config.endpointIsFullURL {
            url = e
        } else if !isFallback, let e = config.endpoint {
            var base = e
            base.path = provider.kind.adapter.defaultPathPrefix
            url = try provider.url(op, model: target.model, base: base)
        } else {
            url = try provider.url(op, model: target.model)
        }
        guard let url else {
            throw GatewayError(status: 500, kind: .apiError, message: "provider '\(provider.name)' has no endpoint for this request; configure its endpoint")
        }

        let providerProtocol = provider.wireProtocol(op)
        let inbound = surface.wireProtocol
        var headers: [(String, String)] = []
        headers.reserveCapacity(ctx.forwardHeaders.count + 6)  // the ones below, and host and content-length
        if !ctx.forwardHeaders.isEmpty {
            let own = provider.kind.ownRequestHeaders
            for (name, value) in ctx.forwardHeaders where !own.contains(name) { headers.append((name, value)) }
        }
        headers.append(("content-type", "application/json"))
        headers.append(("accept", stream ? "text/event-stream" : "application/json"))
        var key = (config.allowDirectKeys ? DirectKey.find(ctx, nativeTo: provider) : nil) ?? (isFallback ? nil : config.apiKey)
        var keyIndex: Int?
        if key == nil, let picked = provider.pickKey(for: target.model, board: ctx.runtime.health, avoid: avoidKey) {
            key = picked.value
            keyIndex = picked.index
        }
        provider.authHeaders(key, into: &headers)

        let strategy = CallStrategies.choose(surface: surface, inbound: inbound, outbound: providerProtocol)
        let prepared = try strategy.prepare(
            CallFacts(target: target, config: config, surface: surface, inbound: inbound, outbound: providerProtocol, stream: stream), ctx)
        return UpstreamCall(
            url: url, fields: headers, body: prepared.body, timeout: config.timeout, transformer: prepared.transformer, target: target,
            credential: key, keyIndex: keyIndex, stats: stats, isFallback: isFallback)
    }

    private static func isStreaming(_ surface: Surface, ctx: RequestContext) throws(GatewayError) -> Bool {
        switch surface {
        case .genai: return GenAIPath.method(ctx.path) == "streamGenerateContent"
        case .openAIChat, .azureChat, .openAIResponses, .anthropicMessages, .openAICompletions:
            return try ctx.topLevel("stream")?.bool ?? false
        case .openAIEmbeddings, .genaiEmbed, .anthropicCountTokens, .openAIResponsesInputTokens, .genaiCountTokens,
             .openAIModels, .anthropicModels, .genaiModels:
            return false
        }
    }
}
