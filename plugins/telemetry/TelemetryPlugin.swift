import NIOCore
import NIOHTTP1
import TollgateConfig
import TollgateCore
import TollgateStore

/// telemetry: metrics, one access-log line and one request-log row per request, and W3C trace
/// context continued upstream.
///
/// Phases: access (counts the request in flight; asks for the response body when payloads are
/// logged), rewrite (adds `traceparent` to the upstream headers), response chunk (only with
/// `log_payloads`: keeps the first 64 KiB of the answer), log (records everything; never
/// touches the store, the writer batches). Listed after governance, so that requests it turned
/// away are not counted in flight; the cost is settled by the core before the log phase.
struct TelemetryPlugin: AccessPhase, RewritePhase, ResponseChunkPhase, LogPhase {
    let config: TelemetryConfig
    let state: TelemetryState

    /// In the chunk phase only when used: any chunk plugin on a route makes the server re-frame
    /// passthrough answers, a cost nobody should pay for nothing.
    var wantsChunks: Bool { config.logPayloads }

    /// Token counts feed the metrics, the access log and the request log.
    var consumesUsage: Bool { true }

    /// What this plugin remembers about one request between its phases: a reference, so the
    /// chunk phase appends to the kept payload in place.
    final class Mark: @unchecked Sendable {  // touched only on the request's event loop, like the context
        var traceID: String?
        /// The answer's first bytes, for the request log (`log_payloads`).
        var payload: ByteBuffer?
        let keepsPayload: Bool
        init(keepsPayload: Bool) { self.keepsPayload = keepsPayload }
    }

    enum Slot: ContextSlot { typealias Value = Mark }
    static let traceHeaders = HeaderNameSet(["traceparent", "tracestate"])

    func access(_ ctx: RequestContext) -> PhaseResult {
        state.metrics.inFlight.increment()
        ctx[slot: Slot.self] = Mark(keepsPayload: config.logPayloads)
        return .next
    }

    func rewrite(_ ctx: RequestContext) -> PhaseResult {
        let trace = TraceParent.next(after: ctx.header("traceparent"))
        // Ours replace any the allowlist forwarded; removing costs nothing when there are none.
        ctx.forwardHeaders.removeAll(named: Self.traceHeaders)
        if let ts = ctx.header("tracestate") {
            ctx.forwardHeaders.append([("traceparent", trace.header), ("tracestate", ts)])
        } else {
            ctx.forwardHeaders.append([("traceparent", trace.header)])
        }
        ctx[slot: Slot.self]?.traceID = trace.traceID
        return .next
    }

    func responseChunk(_ ctx: RequestContext, _ chunk: inout ByteBuffer) {
        guard let mark = ctx[slot: Slot.self], mark.keepsPayload else { return }
        let have = mark.payload?.readableBytes ?? 0
        let room = PayloadRedaction.maxBytes + 1 - have  // one byte over marks "truncated"
        guard room > 0 else { return }
        if mark.payload == nil { mark.payload = ByteBuffer() }
        var part = chunk.getSlice(at: chunk.readerIndex, length: min(room, chunk.readableBytes)) ?? ByteBuffer()
        mark.payload?.writeBuffer(&part)
    }

    func log(_ ctx: RequestContext) {
        // The access phase may not have run (an earlier plugin answered); only a request it
        // counted in flight is counted out.
        let mark = ctx[slot: Slot.self]
        if mark != nil { state.metrics.inFlight.decrement() }
        let facts = RequestFacts(ctx, traceID: mark?.traceID)
        state.metrics.record(facts)
        AccessLog.write(facts, to: state.logger)
        if let writer = state.writer {
            if config.logPayloads {
                writer.enqueue(
                    row(facts), requestBody: ctx.body.readableBytes > 0 ? PayloadRedaction.capture(ctx.body) : nil,
                    responseBody: mark?.payload)
            } else {
                writer.enqueue(row(facts))
            }
        }
    }

    func row(_ f: RequestFacts) -> RequestLogRow {
        RequestLogRow(
            time: f.startDate, requestID: f.requestID, route: f.route, virtualKey: f.virtualKey, provider: f.provider,
            model: f.model, status: f.status, latencyMs: f.totalSeconds * 1000, ttftMs: f.ttftSeconds.map { $0 * 1000 },
            inputTokens: f.inputTokens, outputTokens: f.outputTokens, costUSD: f.costUSD, error: f.error?.message,
            stream: f.stream, cache: f.cache)
    }
}

struct TelemetryFactory: PluginFactory {
    var name: String { "telemetry" }

    /// /metrics and /admin/logs exist even when no route lists telemetry yet (a reload may add
    /// it); making the state registers them.
    func start(_ services: GatewayServices) async {
        _ = TelemetryState.shared(services)
    }

    func shutdown(_ services: GatewayServices) async {
        await TelemetryState.shared(services).shutdown()
    }

    func make(_ node: ConfigNode, _ context: PluginBuildContext) throws(ConfigError) -> any Plugin {
        let config = try TelemetryConfig(node)
        let state = TelemetryState.shared(context.services)
        state.writer?.setRetention(days: config.retentionDays)
        return TelemetryPlugin(config: config, state: state)
    }
}
