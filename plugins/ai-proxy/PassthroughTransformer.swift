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
    private var wantsWhole = false
    private var whole: ByteBuffer?
    private var isEventStream = false

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
            isEventStream = type.hasPrefix("text/event-stream") || type.hasPrefix("application/x-ndjson")
            if isEventStream, proto == .openAIChat {
                tap = OpenAIChatUsageTap(stripUsageChunk: stripInjectedUsage)
                if stripInjectedUsage { h.remove(name: "content-length") }
            } else if isEventStream {
                decoder = Translation.codec(proto).makeStreamDecoder()
            } else {
                wantsWhole = true
            }
        }
        return .stream(status, h)
    }

    func chunk(_ part: ByteBuffer, ctx: RequestContext) -> ByteBuffer? {
        if var t = tap {
            tap = nil
            let out = part.withUnsafeReadableBytes { t.feed($0) }
            if let u = t.usage { ctx.usage.merge(u) }
            tap = t
            // Without stripping, the bytes are the provider's own: send them, not a re-framing.
            return stripInjectedUsage ? ByteBuffer(bytes: out) : part
        }
        if var d = decoder {
            decoder = nil  // keep the decoder uniquely referenced while it mutates
            let events = part.withUnsafeReadableBytes { d.feed($0) }
            decoder = d
            for case .usage(let u) in events { ctx.usage.merge(u) }
        } else if wantsWhole {
            // The usual answer arrives in one part: keep a reference to it, copy only when a
            // second part comes.
            if var w = whole {
                whole = nil
                var p = part
                w.writeBuffer(&p)
                whole = w
            } else {
                whole = part
            }
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
        } else if let w = whole, w.readableBytes > 0,
            let u = w.withUnsafeReadableBytes({ Translation.codec(proto).usage(inBytes: $0) })
        {
            ctx.usage.merge(u)
        }
        return nil
    }

    func whole(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer, ctx: RequestContext) -> WholeResponse {
        WholeResponse(status: status, headers: headers, body: body)
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
