import NIOConcurrencyHelpers
import Prometheus

/// The Prometheus registry and the handles the log phase records into. One per process (kept
/// in `GatewayServices.shared`), so a reload never resets a counter.
final class TelemetryMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let inFlight: Gauge
    let logRowsDropped: Counter
    private let series = NIOLockedValueBox<[SeriesKey: RequestSeries]>([:])
    /// Past this many label combinations, new models are recorded as `_other`: a client sending
    /// random model names must not grow the exposition without bound.
    let maxSeries: Int

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), maxSeries: Int = 5000) {
        self.registry = registry
        self.maxSeries = maxSeries
        inFlight = registry.makeGauge(descriptor: Help.inFlight)
        logRowsDropped = registry.makeCounter(descriptor: Help.logRowsDropped)
        // Created up front so both results show (as 0) before the first reload.
        for result in ["success", "failure"] { _ = reloadCounter(result) }
    }

    func reloadCounter(_ result: String) -> Counter {
        registry.makeCounter(descriptor: Help.reloads, labels: [("result", result)])
    }

    func asyncJob(_ event: String) {
        registry.makeCounter(descriptor: Help.asyncJobs, labels: [("event", event)]).increment()
    }

    func record(_ f: RequestFacts) {
        let s = handles(for: SeriesKey(
            route: f.route, operation: f.operation, provider: f.provider ?? "none", model: f.model ?? "none",
            virtualKey: f.virtualKey ?? "none", status: f.status, stream: f.ttftSeconds != nil))
        s.requests.increment()
        s.duration.record(f.totalSeconds)
        if let u = f.upstreamSeconds { s.upstreamDuration.record(u) }
        if let o = f.overheadSeconds { s.overhead.record(o) }
        if let t = f.ttftSeconds { s.ttft?.record(t) }
        if f.inputTokens > 0 || f.outputTokens > 0 {
            s.inputTokenUsage.record(Double(f.inputTokens))
            s.outputTokenUsage.record(Double(f.outputTokens))
            s.inputTokens.increment(by: Int64(f.inputTokens))
            s.outputTokens.increment(by: Int64(f.outputTokens))
        }
        if let c = f.costUSD, c > 0 { s.cost.increment(by: c) }
        if let kind = f.upstreamError {
            // Rare, so no cache: the registry finds the existing counter by its labels.
            registry.makeCounter(
                descriptor: Help.upstreamErrors, labels: [("provider", f.provider ?? "none"), ("kind", kind)]
            ).increment()
        }
    }

    private func handles(for key: SeriesKey) -> RequestSeries {
        if let s = series.withLockedValue({ $0[key] }) { return s }
        var k = key
        if series.withLockedValue({ $0.count }) >= maxSeries { k.model = "_other" }
        // Built outside our lock (the registry takes its own); a race builds the same handles
        // twice, which the registry dedupes.
        let made = RequestSeries(k, registry: registry)
        series.withLockedValue { map in
            if map.count < maxSeries { map[key] = made }
        }
        return made
    }

    /// The text exposition for `GET /metrics`.
    func exposition() -> [UInt8] {
        var buf: [UInt8] = []
        buf.reserveCapacity(16 << 10)
        registry.emit(into: &buf)
        return buf
    }
}
