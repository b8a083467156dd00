import NIOCore
import NIOHTTP1
import TollgateCore
import TollgateJSON
import TollgateProtocols

/// Builds the provider-bound request for one target: URL, credentials, headers, body in the
/// provider's protocol, and the transformer that will bring the answer back.
enum UpstreamRequestBuilder {
    static func call(
        for target: ResolvedTarget, ctx: RequestContext, config: AIProxyConfig, isFallback: Bool = false
    ) throws(GatewayError) -> UpstreamCall {
        guard var provider = ctx.runtime.providers[target.provider] else {
            throw GatewayError.badRequest("unknown provider '\(target.provider)'", param: "model")
        }
        let surface = config.surface
        let body = try ctx.json()
        let stream = isStreaming(surface, ctx: ctx, body: body)
        ctx.isStream = stream
        let op: ProviderOperation
        switch surface {
        case .openAIResponses: op = provider.kind == .openai ? .responses : .chat(stream: stream)
        case .openAIEmbeddings: op = .embeddings
        case .anthropicCountTokens: op = .countTokens
        default: op = .chat(stream: stream)
        }
        // Azure: the client names its resource per request (Bifrost's header).
        if provider.kind == .azure, let e = ctx.header("x-bf-azure-endpoint"), let u = UpstreamURL(e) { provider.endpoint = u }

        // The URL: a route's full-URL override wins (APISIX), a base override replaces the
        // provider's endpoint; fallbacks always use their own provider's endpoint.
        let url: UpstreamURL?
        if !isFallback, let e = config.endpoint, config.endpointIsFullURL {
            url = e
        } else if !isFallback, let e = config.endpoint {
            var base = e
            base.path = provider.kind == .openai || provider.kind == .openAICompatible ? "/v1" : ""
            url = provider.url(op, model: target.model, base: base)
        } else {
            url = provider.url(op, model: target.model)
        }
        guard let url else {
            throw GatewayError(status: 500, kind: .apiError, message: "provider '\(provider.name)' has no endpoint for this request; configure its endpoint")
        }

        let providerProtocol = provider.wireProtocol(op)
        let inbound = surface.wireProtocol
        var headers = ctx.forwardHeaders
        headers.replaceOrAdd(name: "content-type", value: "application/json")
        headers.replaceOrAdd(name: "accept", value: stream ? "text/event-stream" : "application/json")
        let key = (config.allowDirectKeys ? DirectKey.find(ctx) : nil) ?? (isFallback ? nil : config.apiKey) ?? provider.key(for: target.model)
        provider.authHeaders(key, into: &headers)

        let outBody: ByteBuffer
        let transformer: any ResponseTransformer
        if surface == .openAIEmbeddings, inbound != providerProtocol {
            var req = try EmbeddingsTranslation.decodeRequest(body, from: inbound)
            req.model = target.model
            var encoded = try EmbeddingsTranslation.encodeRequest(req, for: providerProtocol)
            apply(config.options, to: &encoded)
            outBody = ByteBuffer(bytes: encoded.serialized())
            transformer = EmbeddingsTransformer(
                inbound: inbound, outbound: providerProtocol, model: target.model, format: req.encodingFormat)
        } else if inbound == providerProtocol {
            try RequiredFields.check(surface, body)
            let injectUsage = ctx.route.needsUsage && stream && inbound == .openAIChat
                && body["stream_options"]?["include_usage"]?.bool != true
            outBody = try passthroughBody(
                body, ctx: ctx, target: target, config: config, protocol: inbound, injectUsage: injectUsage)
            transformer = PassthroughTransformer(
                proto: inbound, countUsage: ctx.route.needsUsage, stripInjectedUsage: injectUsage)
        } else {
            var req = try Translation.codec(inbound).decodeRequest(body)
            req.model = target.model
            req.stream = stream
            if surface == .genai { req.stream = stream }
            var encoded = Translation.codec(providerProtocol).encodeRequest(req)
            apply(config.options, to: &encoded)
            outBody = ByteBuffer(bytes: encoded.serialized())
            transformer = TranslatingTransformer(
                inbound: inbound, outbound: providerProtocol, stream: stream,
                options: StreamEncoderOptions(includeUsage: req.includeUsageInStream, model: target.model))
        }
        return UpstreamCall(
            url: url, headers: headers, body: outBody, timeout: config.timeout, transformer: transformer, target: target)
    }

    /// Same protocol on both sides: the client's bytes go as they are unless the model name,
    /// or the route's options, must change.
    private static func passthroughBody(
        _ body: JSON, ctx: RequestContext, target: ResolvedTarget, config: AIProxyConfig, protocol proto: WireProtocol,
        injectUsage: Bool
    ) throws(GatewayError) -> ByteBuffer {
        var changed = ctx.bodyIsStale
        var b = body
        if injectUsage {
            // Ask OpenAI for the usage chunk so the stream can be accounted; the transformer
            // removes it again before the client, which did not ask, sees it.
            var so = b["stream_options"]?.object ?? JSONObject()
            so["include_usage"] = true
            b["stream_options"] = .object(so)
            changed = true
        }
        if proto != .gemini, b["model"]?.string != target.model {
            b["model"] = .string(target.model)
            changed = true
        }
        if !config.options.isEmpty {
            apply(config.options, to: &b)
            changed = true
        }
        return changed ? ByteBuffer(bytes: b.serialized()) : ctx.body
    }

    static func apply(_ options: JSONObject, to body: inout JSON) {
        for (k, v) in options { body[k] = v }
    }

    private static func isStreaming(_ surface: Surface, ctx: RequestContext, body: JSON) -> Bool {
        switch surface {
        case .genai: return GenAIPath.parse(ctx.path)?.action == "streamGenerateContent"
        case .openAIEmbeddings, .anthropicCountTokens, .openAIModels: return false
        default: return body["stream"]?.bool ?? false
        }
    }
}
