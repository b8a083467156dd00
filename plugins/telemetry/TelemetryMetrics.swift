import NIOConcurrencyHelpers
import Prometheus
import TollgateCore

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

    /// The counter of the cache plugin's lookups (`result`: hit, miss, skip) of a route and mode.
    func cacheLookup(route: String, mode: String, result: String) -> Counter {
        registry.makeCounter(descriptor: Help.cacheLookups, labels: [("route", route), ("mode", mode), ("result", result)])
    }

    /// Targets' and keys' health (docs/routing.md), set from the board at each scrape.
    func refreshHealth(_ h: HealthSnapshot) {
        for (id, e) in h.entries {
            if let hash = id.lastIndex(of: "#"), !id.contains("/") {
                let labels = [("provider", String(id[..<hash])), ("key", String(id[id.index(after: hash)...]))]
                registry.makeGauge(descriptor: Help.keyCooling, labels: labels).set(e.coolingDown ? 1.0 : 0.0)
                continue
            }
            let labels = Self.targetLabels(id)
            registry.makeGauge(descriptor: Help.targetCooling, labels: labels).set(e.coolingDown ? 1.0 : 0.0)
            registry.makeGauge(descriptor: Help.targetFailures, labels: labels).set(Double(e.failures))
            let total = registry.makeCounter(descriptor: Help.targetCooldowns, labels: labels)
            let seen = exported.withLockedValue { $0["cooldowns " + id] ?? 0 }
            if e.cooldowns > seen {
                total.increment(by: Int64(e.cooldowns - seen))
                exported.withLockedValue { $0["cooldowns " + id] = e.cooldowns }
            }
        }
        for (id, s) in h.stats {
            let labels = Self.targetLabels(id)
            registry.makeGauge(descriptor: Help.targetInFlight, labels: labels).set(Double(s.inFlight))
            if let t = s.ttfbSeconds { registry.makeGauge(descriptor: Help.targetTTFB, labels: labels).set(t) }
            if h.entries[id] == nil {
                // Used, never failed: listed with its zeros.
                registry.makeGauge(descriptor: Help.targetCooling, labels: labels).set(0.0)
                registry.makeGauge(descriptor: Help.targetFailures, labels: labels).set(0.0)
                _ = registry.makeCounter(descriptor: Help.targetCooldowns, labels: labels)
            }
        }
        for (id, n) in h.retries {
            let labels = Self.targetLabels(id)
            if h.entries[id] == nil, h.stats[id] == nil {
                registry.makeGauge(descriptor: Help.targetCooling, labels: labels).set(0.0)
                registry.makeGauge(descriptor: Help.targetFailures, labels: labels).set(0.0)
                _ = registry.makeCounter(descriptor: Help.targetCooldowns, labels: labels)
            }
            let counter = registry.makeCounter(descriptor: Help.retries, labels: labels)
            let seen = exported.withLockedValue { $0["retries " + id] ?? 0 }
            if n > seen {
                counter.increment(by: Int64(n - seen))
                exported.withLockedValue { $0["retries " + id] = n }
            }
        }
    }

    /// What `refreshHealth` has added to its counters so far, by name and target.
    private let exported = NIOLockedValueBox<[String: Int]>([:])

    private static func targetLabels(_ id: String) -> [(String, String)] {
        let parts = id.split(separator: "/", maxSplits: 1)
        return [("provider", parts.first.map(String.init) ?? ""), ("model", parts.count > 1 ? String(parts[1]) : "")]
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
