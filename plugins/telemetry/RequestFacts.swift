import Foundation
import NIOCore
import TollgateCore
import TollgateProtocols

/// What the log phase knows about one finished request, read from its context once and shared
/// by the metrics, the access-log line and the request-log row.
struct RequestFacts: Sendable {
    var requestID: String
    var route: String
    var operation: String
    var virtualKey: String?
    var provider: String?
    var model: String?
    /// The status the client got; 499 (nginx's "client closed request") when it left first.
    var status: Int
    var stream: Bool
    var isInternal: Bool
    var traceID: String?
    var totalSeconds: Double
    /// From the upstream call's start to its last byte; nil when no call was made.
    var upstreamSeconds: Double?
    /// From the request's start to the first byte sent on a stream; nil for whole answers.
    var ttftSeconds: Double?
    var inputTokens: Int
    var outputTokens: Int
    var costUSD: Double?
    var error: GatewayError?
    /// The cache plugin's `hit` or `miss`.
    var cache: String?
    /// Why the upstream failed, when it did (a metric label; see `UpstreamErrorKind`).
    var upstreamError: String?

    init(_ ctx: RequestContext, traceID: String?) {
        let end = ctx.end ?? .now()
        requestID = ctx.requestID
        route = ctx.route.id
        operation = Self.operation(ctx.inboundProtocol)
        virtualKey = ctx.virtualKeyName
        provider = ctx.target?.provider
        model = ctx.target?.model
        status = ctx.status == 0 && ctx.clientDisconnected ? 499 : ctx.status
        stream = ctx.isStream
        isInternal = ctx.isInternal
        self.traceID = traceID
        totalSeconds = Self.seconds(end - ctx.start)
        if let s = ctx.upstreamStart {
            upstreamSeconds = Self.seconds((ctx.upstreamEnd ?? end) - s)
        }
        if ctx.isStream, let f = ctx.firstByte { ttftSeconds = Self.seconds(f - ctx.start) }
        inputTokens = ctx.usage.inputTokens
        outputTokens = ctx.usage.outputTokens
        costUSD = ctx.costUSD
        error = ctx.error
        cache = ctx.cacheResult
        upstreamError = ctx.upstreamStart == nil ? nil : Self.upstreamErrorKind(ctx)
    }

    /// The gateway's own share of the time: total minus the upstream call.
    var overheadSeconds: Double? { upstreamSeconds.map { max(0, totalSeconds - $0) } }

    /// Wall-clock start, for the request log.
    var startDate: Date { Date(timeIntervalSinceNow: -totalSeconds) }

    static func seconds(_ t: TimeAmount) -> Double { Double(t.nanoseconds) / 1e9 }

    /// OpenTelemetry's `gen_ai.operation.name` for the route's surface.
    static func operation(_ p: WireProtocol) -> String {
        switch p {
        case .openAIEmbeddings: return "embeddings"
        case .gemini: return "generate_content"
        case .openAIChat, .openAIResponses, .anthropicMessages, .ollama: return "chat"
        }
    }

    /// Upstream failures by kind: `timeout`, `unreachable` (no answer at all), `stream_cut`
    /// (ended mid-stream), `rate_limited` (429), `server_error` (5xx), `client_error` (4xx).
    static func upstreamErrorKind(_ ctx: RequestContext) -> String? {
        if let e = ctx.error {
            if e.kind == .timeout { return "timeout" }
            if ctx.firstByte != nil, ctx.isStream { return "stream_cut" }
            if e.status == 502, ctx.firstByte == nil { return "unreachable" }
        }
        switch ctx.status {
        case 429: return "rate_limited"
        case 500...: return "server_error"
        case 400..<500 where !ctx.clientDisconnected: return "client_error"
        default: return nil
        }
    }
}
