import NIOCore
import NIOHTTP1
import TollgateCore
import TollgateJSON
import TollgateProtocols

/// An embeddings answer from a provider of another family (Gemini, Ollama), rewritten whole
/// in the client's shape. Embeddings never stream.
final class EmbeddingsTransformer: ResponseTransformer {
    private let inbound: WireProtocol
    private let outbound: WireProtocol
    private let model: String
    private let format: EmbeddingEncodingFormat

    init(inbound: WireProtocol, outbound: WireProtocol, model: String, format: EmbeddingEncodingFormat) {
        self.inbound = inbound
        self.outbound = outbound
        self.model = model
        self.format = format
    }

    func begin(status: HTTPResponseStatus, headers: HTTPHeaders, ctx: RequestContext) -> ResponseDisposition { .buffer }
    func chunk(_ part: ByteBuffer, ctx: RequestContext) throws(GatewayError) -> ByteBuffer? { nil }
    func finish(ctx: RequestContext) -> ByteBuffer? { nil }
    func broken(_ error: GatewayError, ctx: RequestContext) -> BrokenAnswer { .cut(nil) }

    func whole(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer, ctx: RequestContext) -> WholeResponse {
        var h = HTTPHeaders()
        h.add(name: "content-type", value: "application/json")
        let client = Translation.codec(inbound)
        if status.code >= 400 {
            let e = Translation.codec(outbound).decodeError(status: Int(status.code), body: Array(body.readableBytesView))
            ctx.error = e
            return WholeResponse(status: status, headers: h, body: ByteBuffer(bytes: client.encodeError(e).serialized()))
        }
        do {
            let json = try body.withUnsafeReadableBytes { buf throws(JSONParseError) in try JSON.parse(buf) }
            let r = try EmbeddingsTranslation.decodeResponse(json, from: outbound, model: model)
            ctx.usage.merge(r.usage)
            let out = EmbeddingsTranslation.encodeResponse(r, for: inbound, format: format)
            return WholeResponse(status: .ok, headers: h, body: ByteBuffer(bytes: out.serialized()))
        } catch {
            let e = GatewayError(status: 502, kind: .apiError, message: "upstream embeddings could not be translated: \(error)")
            ctx.error = e
            return WholeResponse(status: .badGateway, headers: h, body: ByteBuffer(bytes: client.encodeError(e).serialized()))
        }
    }
}
