import NIOCore
import TollgateCore
import TollgateJSON
import TollgateProtocols

/// Embeddings to a provider of another family (Gemini, Ollama): through each protocol's
/// embeddings codec, and the answer rewritten whole (embeddings never stream).
struct EmbeddingsStrategy: CallStrategy {
    func prepare(_ call: CallFacts, _ ctx: RequestContext) throws(GatewayError) -> PreparedCall {
        var req = try EmbeddingsTranslation.decodeRequest(try ctx.json(), from: call.inbound)
        req.model = call.target.model
        var encoded = try EmbeddingsTranslation.encodeRequest(req, for: call.outbound)
        CallStrategies.apply(call.config.options, to: &encoded)
        return PreparedCall(
            body: ByteBuffer(bytes: encoded.serialized()),
            transformer: EmbeddingsTransformer(
                inbound: call.inbound, outbound: call.outbound, model: call.target.model, format: req.encodingFormat,
                single: req.single))
    }
}
