import NIOCore
import TollgateCore
import TollgateJSON
import TollgateProtocols

/// Same protocol on both sides: the client's bytes go as they are, and the answer's bytes come
/// back as they are (usage read on the side when a plugin counts it).
struct PassthroughStrategy: CallStrategy {
    func prepare(_ call: CallFacts, _ ctx: RequestContext) throws(GatewayError) -> PreparedCall {
        try RequiredFields.check(call.surface, try ctx.skim())
        var injectUsage = ctx.route.needsUsage && call.stream && call.inbound == .openAIChat
        if injectUsage { injectUsage = try ctx.topLevel("stream_options")?["include_usage"]?.bool != true }
        let body = try Self.body(ctx: ctx, target: call.target, config: call.config, protocol: call.inbound, injectUsage: injectUsage)
        return PreparedCall(
            body: body,
            transformer: PassthroughTransformer(proto: call.inbound, countUsage: ctx.route.needsUsage, stripInjectedUsage: injectUsage))
    }

    /// A new model name is spliced into the client's bytes; only options or an injected field
    /// make us parse and rebuild the body.
    static func body(
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
            CallStrategies.apply(config.options, to: &b)
            return ByteBuffer(bytes: b.serialized())
        }
        guard proto != .gemini else { return ctx.body }
        guard let model = try ctx.skim().entry("model") else {
            // A route that fixes the model accepts a body without one (APISIX): it gets one.
            var b = try ctx.json()
            b["model"] = .string(target.model)
            return ByteBuffer(bytes: b.serialized())
        }
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
}
