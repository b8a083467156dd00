import NIOCore
import NIOHTTP1
import TollgateProtocols

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
    /// The provider key the call sends (the route's, the provider's, or a client's direct key):
    /// redacted from the provider's error answers along with the config's own secrets.
    public var credential: String?
    /// Which of the provider's keys it sends (its place in `keys:`), when the provider has
    /// several: health is kept per key (docs/routing.md).
    public var keyIndex: Int?
    /// The live numbers of a model group's target (in flight, time to first byte).
    public var stats: TargetStats?
    /// A call to its provider's own endpoint and keys, not the route's overrides (a fallback, a
    /// group's target).
    public var isFallback: Bool

    public init(
        url: UpstreamURL, method: HTTPMethod = .POST, fields: consuming [(String, String)], body: ByteBuffer,
        timeout: TimeAmount, transformer: any ResponseTransformer, target: ResolvedTarget, credential: String? = nil,
        keyIndex: Int? = nil, stats: TargetStats? = nil, isFallback: Bool = false
    ) {
        self.credential = credential
        self.keyIndex = keyIndex
        self.stats = stats
        self.isFallback = isFallback
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
/// 5xx, as long as nothing has reached the client yet; `more` makes further ones on demand.
public struct UpstreamPlan {
    public var calls: [UpstreamCall]
    public var more: (any UpstreamAlternatives)?
    public init(_ calls: [UpstreamCall], more: (any UpstreamAlternatives)? = nil) {
        self.calls = calls
        self.more = more
    }
}

/// The calls a request may make after its planned ones fail, each built only when it is
/// needed (retries on a model group's other targets, fallbacks). Confined to the request's loop.
public protocol UpstreamAlternatives: AnyObject {
    func next(after failed: UpstreamCall) -> UpstreamCall?
}

/// What the client gets for a given upstream answer. Stateful and confined to the request's
/// event loop, hence a class protocol.
public protocol ResponseTransformer: AnyObject {
    /// The provider answered with `status`: relay the body part by part (`.stream`), or have
    /// it gathered and handed to `whole` (errors, and answers that must be translated whole).
    func begin(status: HTTPResponseStatus, headers: HTTPHeaders, ctx: RequestContext) -> ResponseDisposition
    /// A body part in stream mode; returns what to send the client (nil: nothing yet). Throws
    /// when the answer cannot go on (a stream line past `server.max_stream_line_bytes`); the
    /// exchange then treats the answer as broken.
    func chunk(_ part: ByteBuffer, ctx: RequestContext) throws(GatewayError) -> ByteBuffer?
    /// The provider ended the body in stream mode; returns any closing bytes.
    func finish(ctx: RequestContext) -> ByteBuffer?
    /// The provider's answer broke off (closed early, stalled, refused by `chunk`) after its
    /// head went to the client: how to tell the client it is incomplete.
    func broken(_ error: GatewayError, ctx: RequestContext) -> BrokenAnswer
    /// The whole body in buffer mode; returns the client's response.
    func whole(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer, ctx: RequestContext) -> WholeResponse
}

/// How a relayed answer that broke off ends for the client.
public enum BrokenAnswer {
    /// Send these bytes (an error event in the client's protocol) and end the answer: the
    /// protocol itself tells the client it failed.
    case end(ByteBuffer?)
    /// Send these bytes, then close the connection without ending the answer: a relayed
    /// `content-length`, or a stream the client would otherwise take as whole, is only shown
    /// incomplete by the cut.
    case cut(ByteBuffer?)
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
