import NIOCore
import NIOHTTP1

/// One request to one provider, fully built: the forwarder only connects, writes and relays.
public struct UpstreamCall {
    public var url: UpstreamURL
    public var method: HTTPMethod
    /// Headers to send, complete: `init` adds `host` and `content-length` (never forwarded
    /// from the client), so sending, or re-sending after a stale connection, copies nothing.
    public var headers: HTTPHeaders
    public var body: ByteBuffer
    /// Time allowed to connect and for the response head, and then between body parts.
    public var timeout: TimeAmount
    /// Turns the provider's answer into the client's; one per call, it keeps stream state.
    public var transformer: any ResponseTransformer
    /// Where this call goes, recorded on the context when it is the one that answers.
    public var target: ResolvedTarget

    public init(
        url: UpstreamURL, method: HTTPMethod = .POST, fields: consuming [(String, String)], body: ByteBuffer,
        timeout: TimeAmount, transformer: any ResponseTransformer, target: ResolvedTarget
    ) {
        self.url = url
        self.method = method
        // One block made from one array, taken over from the caller (`consuming`, so appending
        // does not copy it): NIO's `add(name:value:)` scans each name, and adding to a block
        // that shares its storage copies it.
        fields.append(("host", url.hostHeader))
        fields.append(("content-length", String(body.readableBytes)))
        self.headers = HTTPHeaders(fields)
        self.body = body
        self.timeout = timeout
        self.transformer = transformer
        self.target = target
    }
}

/// The calls to try in order: the first, then fallbacks on connect errors, timeouts, 429 and
/// 5xx, as long as nothing has reached the client yet.
public struct UpstreamPlan {
    public var calls: [UpstreamCall]
    public init(_ calls: [UpstreamCall]) { self.calls = calls }
}

/// What the client gets for a given upstream answer. Stateful and confined to the request's
/// event loop, hence a class protocol.
public protocol ResponseTransformer: AnyObject {
    /// The provider answered with `status`: relay the body part by part (`.stream`), or have
    /// it gathered and handed to `whole` (errors, and answers that must be translated whole).
    func begin(status: HTTPResponseStatus, headers: HTTPHeaders, ctx: RequestContext) -> ResponseDisposition
    /// A body part in stream mode; returns what to send the client (nil: nothing yet).
    func chunk(_ part: ByteBuffer, ctx: RequestContext) -> ByteBuffer?
    /// The provider ended the body in stream mode; returns any closing bytes.
    func finish(ctx: RequestContext) -> ByteBuffer?
    /// The whole body in buffer mode; returns the client's response.
    func whole(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer, ctx: RequestContext) -> WholeResponse
}

public enum ResponseDisposition {
    /// Relay with this status and these headers (hop-by-hop and length headers are the
    /// forwarder's business).
    case stream(HTTPResponseStatus, HTTPHeaders)
    case buffer
}

public struct WholeResponse {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: ByteBuffer
    public init(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
