import NIOCore
import NIOHTTP1
import TollgateCore
import TollgateJSON
import TollgateProtocols

/// Client and provider speak the same protocol: bytes go through untouched. When the route
/// accounts usage, a decoder watches the stream (or the whole body is read once at the end)
/// to find the counts; otherwise nothing is parsed.
final class PassthroughTransformer: ResponseTransformer {
    private let proto: WireProtocol
    private let countUsage: Bool
    private let stripInjectedUsage: Bool
    private var decoder: (any StreamDecoder)?
    /// OpenAI streams: reads usage and, when the gateway asked for it, removes the usage chunk.
    private var tap: OpenAIChatUsageTap?
    /// Bounds the partial line a decoder or tap holds (`server.max_stream_line_bytes`).
    private var lines = StreamLineGuard(limit: 0)
    private var wantsWhole = false
    /// A non-stream answer, kept for its usage: whole while it is small, then only its tail.
    private var kept = AnswerTail()
    /// The provider's headers, looked at only if the answer breaks off (an error event needs
    /// the stream's type): kept, not searched, on the usual path.
    private var upstreamHeaders: HTTPHeaders?

    init(proto: WireProtocol, countUsage: Bool, stripInjectedUsage: Bool = false) {
        self.proto = proto
        self.countUsage = countUsage
        self.stripInjectedUsage = stripInjectedUsage
    }

    func begin(status: HTTPResponseStatus, headers: HTTPHeaders, ctx: RequestContext) -> ResponseDisposition {
        var h = headers
        ResponseHeaders.scrub(&h)
        if countUsage, status.code < 400 {
            let type = headers.first(name: "content-type") ?? ""
            let isEventStream = type.hasPrefix("text/event-stream") || type.hasPrefix("application/x-ndjson")
            if isEventStream {
                lines = StreamLineGuard(limit: ctx.runtime.config.server.maxStreamLineBytes)
            }
            if isEventStream, proto == .openAIChat {
                tap = OpenAIChatUsageTap(stripUsageChunk: stripInjectedUsage)
                if stripInjectedUsage { h.remove(name: "content-length") }
            } else if isEventStream {
                decoder = Translation.codec(proto).makeStreamDecoder()
            } else {
                wantsWhole = true
            }
        }
        upstreamHeaders = headers
        return .stream(status, h)
    }

    func chunk(_ part: ByteBuffer, ctx: RequestContext) throws(GatewayError) -> ByteBuffer? {
        if var t = tap {
            guard lines.admit(part) else { throw lines.error }
            tap = nil
            let out = part.withUnsafeReadableBytes { t.feed($0) }
            if let u = t.usage { ctx.usage.merge(u) }
            tap = t
            // Without stripping, the bytes are the provider's own: send them, not a re-framing.
            return stripInjectedUsage ? ByteBuffer(bytes: out) : part
        }
        if var d = decoder {
            guard lines.admit(part) else { throw lines.error }
            decoder = nil  // keep the decoder uniquely referenced while it mutates
            let events = part.withUnsafeReadableBytes { d.feed($0) }
            decoder = d
            for case .usage(let u) in events { ctx.usage.merge(u) }
        } else if wantsWhole {
            kept.append(part)
        }
        return part
    }

    func finish(ctx: RequestContext) -> ByteBuffer? {
        if var t = tap {
            let out = t.finish()
            if let u = t.usage { ctx.usage.merge(u) }
            tap = t
            return stripInjectedUsage && !out.isEmpty ? ByteBuffer(bytes: out) : nil
        }
        if var d = decoder {
            for case .usage(let u) in d.finish() { ctx.usage.merge(u) }
            decoder = d
        } else if wantsWhole, let u = kept.usage(Translation.codec(proto)) {
            ctx.usage.merge(u)
        }
        return nil
    }

    /// The client has the provider's own framing: a relayed length it will wait for, or a stream
    /// that, cut, looks finished. An error event (for a stream) and a cut connection say it is not.
    func broken(_ error: GatewayError, ctx: RequestContext) -> BrokenAnswer {
        let type = upstreamHeaders?.first(name: "content-type") ?? ""
        guard type.hasPrefix("text/event-stream") || type.hasPrefix("application/x-ndjson") else { return .cut(nil) }
        var encoder = Translation.codec(proto).makeStreamEncoder(StreamEncoderOptions())
        var out: [UInt8] = []
        encoder.encode(.error(error), into: &out)
        return .cut(out.isEmpty ? nil : ByteBuffer(bytes: out))
    }

    func whole(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer, ctx: RequestContext) -> WholeResponse {
        var h = headers
        ResponseHeaders.scrub(&h)
        return WholeResponse(status: status, headers: h, body: body)
    }
}

/// A passthrough answer kept for its usage without holding a large one whole: up to
/// `wholeLimit` bytes it is kept as it came (the usual answer: one part, no copy) and parsed
/// whole at the end; past that only its last `tailBytes` are kept, where every protocol puts
/// its usage.
struct AnswerTail {
    static let wholeLimit = 1 << 20
    static let tailBytes = 64 << 10
    private var buffer: ByteBuffer?
    private var truncated = false

    mutating func append(_ part: ByteBuffer) {
        guard var b = buffer else {
            buffer = part
            return
        }
        buffer = nil  // keep it uniquely referenced while appending
        var p = part
        b.writeBuffer(&p)
        if b.readableBytes > Self.wholeLimit {
            truncated = true
            b.moveReaderIndex(forwardBy: b.readableBytes - Self.tailBytes)
            b.discardReadBytes()
        }
        buffer = b
    }

    func usage(_ codec: any ProtocolCodec.Type) -> Usage? {
        guard let b = buffer, b.readableBytes > 0 else { return nil }
        return b.withUnsafeReadableBytes { truncated ? codec.usage(inTail: $0) : codec.usage(inBytes: $0) }
    }
}

enum ResponseHeaders {
    /// Provider headers a client must not get from us: cookies for the provider's domain, and
    /// ids that would contradict our own.
    /// The hop-by-hop ones go in the same pass (the exchange's own pass then finds none).
    static func scrub(_ h: inout HTTPHeaders) {
        h.removeAll(named: scrubbed)
    }

    static let scrubbed = HeaderNameSet(["set-cookie", "x-request-id", "server", "date", "alt-svc", "cf-ray", "strict-transport-security"]) + .hopByHop
}
