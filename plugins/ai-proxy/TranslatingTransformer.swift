import NIOCore
import NIOHTTP1
import TollgateCore
import TollgateJSON
import TollgateProtocols

/// Client and provider speak different protocols: answers, stream events and errors are
/// decoded from the provider's protocol into the canonical model and encoded in the client's.
/// A stream is translated event by event as parts arrive; nothing waits for its end.
final class TranslatingTransformer: ResponseTransformer {
    private let inbound: any ProtocolCodec.Type
    private let outbound: any ProtocolCodec.Type
    private let inboundProtocol: WireProtocol
    private let stream: Bool
    private let options: StreamEncoderOptions
    private var decoder: (any StreamDecoder)?
    private var encoder: (any StreamEncoder)?
    private var sawEnd = false
    /// Bounds the partial line the decoder holds (`server.max_stream_line_bytes`).
    private var lines = StreamLineGuard(limit: 0)

    init(inbound: WireProtocol, outbound: WireProtocol, stream: Bool, options: StreamEncoderOptions) {
        self.inbound = Translation.codec(inbound)
        self.outbound = Translation.codec(outbound)
        self.inboundProtocol = inbound
        self.stream = stream
        self.options = options
    }

    func begin(status: HTTPResponseStatus, headers: HTTPHeaders, ctx: RequestContext) -> ResponseDisposition {
        let type = headers.first(name: "content-type") ?? ""
        let upstreamStreams = type.hasPrefix("text/event-stream") || type.hasPrefix("application/x-ndjson")
        guard status.code < 400, stream, upstreamStreams else { return .buffer }
        decoder = outbound.makeStreamDecoder()
        encoder = inbound.makeStreamEncoder(options)
        lines = StreamLineGuard(limit: ctx.runtime.config.server.maxStreamLineBytes)
        var h = HTTPHeaders()
        h.add(name: "content-type", value: Translation.contentType(forStream: inboundProtocol))
        h.add(name: "cache-control", value: "no-cache")
        return .stream(.ok, h)
    }

    func chunk(_ part: ByteBuffer, ctx: RequestContext) throws(GatewayError) -> ByteBuffer? {
        guard var d = decoder else { return nil }
        guard lines.admit(part) else { throw lines.error }
        decoder = nil  // keep the decoder uniquely referenced while it mutates
        let events = part.withUnsafeReadableBytes { d.feed($0) }
        decoder = d
        return encode(events, ctx: ctx)
    }

    func finish(ctx: RequestContext) -> ByteBuffer? {
        guard var d = decoder else { return nil }
        var events = d.finish()
        decoder = d
        if !sawEnd, !events.contains(.end) {
            // The provider stopped without closing the stream properly: tell the client in its
            // own protocol rather than pretend the answer was complete.
            events.append(.error(ctx.error ?? GatewayError(status: 502, kind: .apiError, message: "upstream stream ended early")))
        }
        return encode(events, ctx: ctx)
    }

    /// The client's protocol has its own error event: it goes out (`finish` adds it when the
    /// provider's end never came) and the stream ends properly after it.
    func broken(_ error: GatewayError, ctx: RequestContext) -> BrokenAnswer {
        .end(finish(ctx: ctx))
    }

    private func encode(_ events: [StreamEvent], ctx: RequestContext) -> ByteBuffer? {
        guard !events.isEmpty, var enc = encoder else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(256)
        for e in events {
            switch e {
            case .usage(let u): ctx.usage.merge(u)
            case .end: sawEnd = true
            case .error(let err): ctx.error = err
            default: break
            }
            enc.encode(e, into: &out)
        }
        encoder = enc
        return out.isEmpty ? nil : ByteBuffer(bytes: out)
    }

    func whole(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer, ctx: RequestContext) -> WholeResponse {
        var h = HTTPHeaders()
        h.add(name: "content-type", value: "application/json")
        if status.code >= 400 {
            var e = outbound.decodeError(status: Int(status.code), body: Array(body.readableBytesView))
            if e.retryAfter == nil, let r = headers.first(name: "retry-after").flatMap(Int.init) { e.retryAfter = r }
            if let r = e.retryAfter { h.add(name: "retry-after", value: String(r)) }
            ctx.error = e
            return WholeResponse(status: status, headers: h, body: ByteBuffer(bytes: inbound.encodeError(e).serialized()))
        }
        do {
            let json = try body.withUnsafeReadableBytes { buf throws(JSONParseError) in try JSON.parse(buf) }
            let r = try outbound.decodeResponse(json)
            ctx.usage.merge(r.usage)
            return WholeResponse(status: .ok, headers: h, body: ByteBuffer(bytes: inbound.encodeResponse(r).serialized()))
        } catch {
            let e = GatewayError(status: 502, kind: .apiError, message: "upstream answer could not be translated: \(error)")
            ctx.error = e
            return WholeResponse(status: .badGateway, headers: h, body: ByteBuffer(bytes: inbound.encodeError(e).serialized()))
        }
    }
}
