import NIOCore
import NIOHTTP1
import TollgateCore
import TollgateJSON
import TollgateProtocols

/// An embeddings answer from a provider of another family (Gemini, Ollama), rewritten whole
/// in the client's shape. Embeddings never stream.
final class EmbeddingsTransformer: WholeJSONTransformer {
    let inbound: WireProtocol
    let outbound: WireProtocol
    private let model: String
    private let format: EmbeddingEncodingFormat
    private let single: Bool
    var what: String { "embeddings" }

    init(inbound: WireProtocol, outbound: WireProtocol, model: String, format: EmbeddingEncodingFormat, single: Bool = false) {
        self.single = single
        self.inbound = inbound
        self.outbound = outbound
        self.model = model
        self.format = format
    }

    func translate(_ answer: JSON, ctx: RequestContext) throws(GatewayError) -> JSON {
        let r = try EmbeddingsTranslation.decodeResponse(answer, from: outbound, model: model)
        if let u = r.usage { ctx.usage.merge(u) }
        return EmbeddingsTranslation.encodeResponse(r, for: inbound, format: format, single: single)
    }
}
