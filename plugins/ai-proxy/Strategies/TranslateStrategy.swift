import NIOCore
import TollgateCore
import TollgateJSON
import TollgateProtocols

/// Different protocols: the request goes through the canonical model into the provider's
/// protocol, and the answer (whole, or event by event) back into the client's.
struct TranslateStrategy: CallStrategy {
    /// Protocols whose providers run web search themselves.
    static let runsHostedTools: Set<WireProtocol> = [.anthropicMessages, .gemini, .openAIResponses]

    func prepare(_ call: CallFacts, _ ctx: RequestContext) throws(GatewayError) -> PreparedCall {
        var body = try ctx.json()
        // A route that fixes the model accepts a body without one (APISIX); the decoders want one.
        if call.inbound != .gemini, body["model"] == nil { body["model"] = .string(call.target.model) }
        var req = try Translation.codec(call.inbound).decodeRequest(body)
        req.model = call.target.model
        req.stream = call.stream
        // A hosted tool (web search) goes only where the provider runs an equivalent.
        if let hosted = req.tools.first(where: { $0.hosted != nil })?.hosted, !Self.runsHostedTools.contains(call.outbound) {
            throw GatewayError.badRequest(
                "tool type '\(hosted.rawValue)' has no equivalent on provider '\(call.target.provider)'", param: "tools")
        }
        // Gemini's own built-in tools (code execution, URL context) run only at Gemini: refused
        // for any other provider rather than dropped.
        if call.outbound != .gemini, let builtIn = req.extra["tools"]?.array?.first?.object?.keys.first {
            throw GatewayError.badRequest(
                "tool '\(builtIn)' has no equivalent on provider '\(call.target.provider)'", param: "tools")
        }
        // Whether the client asked for a usage chunk (OpenAI clients only; the others always get
        // usage); the provider is always asked, since accounting and every non-OpenAI client
        // need the counts of a stream.
        let clientWantsUsage = req.includeUsageInStream
        if call.stream { req.includeUsageInStream = true }
        var encoded = Translation.codec(call.outbound).encodeRequest(req)
        CallStrategies.apply(call.config.options, to: &encoded)
        return PreparedCall(
            body: ByteBuffer(bytes: encoded.serialized()),
            transformer: TranslatingTransformer(
                inbound: call.inbound, outbound: call.outbound, stream: call.stream,
                options: StreamEncoderOptions(includeUsage: clientWantsUsage, model: call.target.model)))
    }
}
