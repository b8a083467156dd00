import NIOCore
import NIOHTTP1
import TollgateCore
import TollgateJSON
import TollgateProtocols

/// An answer that never streams (embeddings, token counts) from a provider of another family:
/// read whole, parsed once, rewritten in the client's shape by `translate`; a provider's error in
/// the client's error shape, and an answer that cannot be read a 502.
protocol WholeJSONTransformer: ResponseTransformer {
    var inbound: WireProtocol { get }
    var outbound: WireProtocol { get }
    /// What `what` the answer is, for the 502's message ("embeddings", "token count").
    var what: String { get }
    func translate(_ answer: JSON, ctx: RequestContext) throws(GatewayError) -> JSON
}

extension WholeJSONTransformer {
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
            let out = try translate(json, ctx: ctx)
            return WholeResponse(status: .ok, headers: h, body: ByteBuffer(bytes: out.serialized()))
        } catch {
            let e = GatewayError(status: 502, kind: .apiError, message: "upstream \(what) could not be translated: \(error)")
            ctx.error = e
            return WholeResponse(status: .badGateway, headers: h, body: ByteBuffer(bytes: client.encodeError(e).serialized()))
        }
    }
}
