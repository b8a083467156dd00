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
        let stream = try isStreaming(surface, ctx: ctx)
        ctx.isStream = stream
        let op: ProviderOperation
        switch surface {
        case .openAIResponses: op = provider.responsesOperation(stream: stream)
        case .openAIEmbeddings: op = .embeddings
        case .anthropicCountTokens: op = .countTokens
        default: op = .chat(stream: stream)
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
        let key = (config.allowDirectKeys ? DirectKey.find(ctx) : nil) ?? (isFallback ? nil : config.apiKey) ?? provider.key(for: target.model)
        provider.authHeaders(key, into: &headers)

        let outBody: ByteBuffer
        let transformer: any ResponseTransformer
        if surface == .openAIEmbeddings, inbound != providerProtocol {
            var req = try EmbeddingsTranslation.decodeRequest(try ctx.json(), from: inbound)
            req.model = target.model
            var encoded = try EmbeddingsTranslation.encodeRequest(req, for: providerProtocol)
            apply(config.options, to: &encoded)
            outBody = ByteBuffer(bytes: encoded.serialized())
            transformer = EmbeddingsTransformer(
                inbound: inbound, outbound: providerProtocol, model: target.model, format: req.encodingFormat)
        } else if inbound == providerProtocol {
            try RequiredFields.check(surface, try ctx.skim())
            var injectUsage = ctx.route.needsUsage && stream && inbound == .openAIChat
            if injectUsage { injectUsage = try ctx.topLevel("stream_options")?["include_usage"]?.bool != true }
            outBody = try passthroughBody(ctx: ctx, target: target, config: config, protocol: inbound, injectUsage: injectUsage)
            transformer = PassthroughTransformer(
                proto: inbound, countUsage: ctx.route.needsUsage, stripInjectedUsage: injectUsage)
        } else {
            var req = try Translation.codec(inbound).decodeRequest(try ctx.json())
            req.model = target.model
            req.stream = stream
            // Whether the client asked for a usage chunk (OpenAI clients only; the others always
            // get usage); the provider is always asked, since accounting and every non-OpenAI
            // client need the counts of a stream.
            let clientWantsUsage = req.includeUsageInStream
            if stream { req.includeUsageInStream = true }
            var encoded = Translation.codec(providerProtocol).encodeRequest(req)
            apply(config.options, to: &encoded)
            outBody = ByteBuffer(bytes: encoded.serialized())
            transformer = TranslatingTransformer(
                inbound: inbound, outbound: providerProtocol, stream: stream,
                options: StreamEncoderOptions(includeUsage: clientWantsUsage, model: target.model))
        }
        return UpstreamCall(
            url: url, fields: headers, body: outBody, timeout: config.timeout, transformer: transformer, target: target,
            credential: key)
    }

    /// Same protocol on both sides: the client's bytes go as they are. A new model name is
    /// spliced into them; only options or an injected field make us parse and rebuild the body.
    private static func passthroughBody(
        ctx: RequestContext, target: ResolvedTarget, config: AIProxyConfig, protocol proto: WireProtocol, injectUsage: Bool
    ) throws(GatewayError) -> ByteBuffer {
        if ctx.bodyIsStale || injectUsage || !config.options.isEmpty {
            var b = try ctx.json()
            if proto != .gemini { b["model"] = .string(target.model) }
            if injectUsage {
                // Ask OpenAI for the usage chunk so the stream can be accounted; the transformer
                // removes it again before the client, which did not ask, sees it.
                var so = b["stream_options"]?.object ?? JSONObject()
                so["include_usage"] = true
                b["stream_options"] = .object(so)
            }
            apply(config.options, to: &b)
            return ByteBuffer(bytes: b.serialized())
        }
        guard proto != .gemini, let model = try ctx.skim().entry("model") else { return ctx.body }
        let current = ctx.body.withUnsafeReadableBytes { JSONSkim.string(at: model.range, in: $0) }
        if current == target.model { return ctx.body }
        var out = ByteBuffer()
        out.reserveCapacity(ctx.body.readableBytes + target.model.utf8.count)
        var value: [UInt8] = []
        JSON.writeString(target.model, into: &value)
        let body = ctx.body
        out.writeImmutableBuffer(body.getSlice(at: body.readerIndex, length: model.range.lowerBound) ?? ByteBuffer())
        out.writeBytes(value)
        out.writeImmutableBuffer(
            body.getSlice(at: body.readerIndex + model.range.upperBound, length: body.readableBytes - model.range.upperBound) ?? ByteBuffer())
        return out
    }

    static func apply(_ options: JSONObject, to body: inout JSON) {
        for (k, v) in options { body[k] = v }
    }

    private static func isStreaming(_ surface: Surface, ctx: RequestContext) throws(GatewayError) -> Bool {
        switch surface {
        case .genai: return GenAIPath.parse(ctx.path)?.action == "streamGenerateContent"
        case .openAIEmbeddings, .anthropicCountTokens, .openAIModels: return false
        default: return try ctx.topLevel("stream")?.bool ?? false
        }
    }
}
