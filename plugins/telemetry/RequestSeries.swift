import Prometheus

/// The label values one request's metrics are recorded under. Requests with the same values
/// share one `RequestSeries`, so recording is a dictionary lookup and some atomic adds; label
/// strings are formatted only the first time a combination is seen.
struct SeriesKey: Hashable, Sendable {
    var route: String
    var operation: String
    var provider: String
    var model: String
    var virtualKey: String
    var status: Int
    /// Only streams have a time to first token; other series never make that histogram.
    var stream: Bool
}

/// The metric handles of one label combination.
struct RequestSeries: Sendable {
    let requests: Counter
    let duration: ValueHistogram
    let upstreamDuration: ValueHistogram
    let overhead: ValueHistogram
    let ttft: ValueHistogram?
    let inputTokenUsage: ValueHistogram
    let outputTokenUsage: ValueHistogram
    let inputTokens: Counter
    let outputTokens: Counter
    let cost: Counter

    init(_ k: SeriesKey, registry r: PrometheusCollectorRegistry) {
        let status = String(k.status)
        requests = r.makeCounter(
            descriptor: Help.requests, labels: [("route", k.route), ("provider", k.provider), ("model", k.model), ("status", status)])
        let genAI = [("gen_ai_operation_name", k.operation), ("gen_ai_provider_name", k.provider), ("gen_ai_request_model", k.model)]
        duration = r.makeValueHistogram(descriptor: Help.requestDuration, labels: [("route", k.route)] + genAI, buckets: MetricBuckets.duration)
        upstreamDuration = r.makeValueHistogram(descriptor: Help.upstreamDuration, labels: genAI, buckets: MetricBuckets.duration)
        overhead = r.makeValueHistogram(descriptor: Help.overhead, labels: [("route", k.route)], buckets: MetricBuckets.overhead)
        ttft = k.stream ? r.makeValueHistogram(descriptor: Help.ttft, labels: genAI, buckets: MetricBuckets.ttft) : nil
        inputTokenUsage = r.makeValueHistogram(
            descriptor: Help.tokenUsage, labels: genAI + [("gen_ai_token_type", "input")], buckets: MetricBuckets.tokens)
        outputTokenUsage = r.makeValueHistogram(
            descriptor: Help.tokenUsage, labels: genAI + [("gen_ai_token_type", "output")], buckets: MetricBuckets.tokens)
        let owner = [("provider", k.provider), ("model", k.model), ("virtual_key", k.virtualKey)]
        inputTokens = r.makeCounter(descriptor: Help.tokens, labels: owner + [("type", "input")])
        outputTokens = r.makeCounter(descriptor: Help.tokens, labels: owner + [("type", "output")])
        cost = r.makeCounter(descriptor: Help.cost, labels: owner)
    }
}

/// Names with their help text. The registry insists that a family's help never changes, so
/// each is written once here. Computed (the descriptor type is not Sendable, so it cannot be a
/// static constant); only read when a new label combination is first seen.
enum Help {
    static func d(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
    static var requests: MetricNameDescriptor { d(MetricNames.requests, "Requests by route, provider, model and status.") }
    static var requestDuration: MetricNameDescriptor { d(MetricNames.requestDuration, "Whole request as the client sees it, seconds.") }
    static var upstreamDuration: MetricNameDescriptor { d(MetricNames.upstreamDuration, "Upstream call from connect to last byte, seconds.") }
    static var overhead: MetricNameDescriptor { d(MetricNames.overhead, "Gateway's own time: whole request minus the upstream call, seconds.") }
    static var ttft: MetricNameDescriptor { d(MetricNames.timeToFirstToken, "Time to the first streamed byte, seconds (streams only).") }
    static var tokenUsage: MetricNameDescriptor { d(MetricNames.tokenUsage, "Tokens per request by type (input, output).") }
    static var tokens: MetricNameDescriptor { d(MetricNames.tokens, "Tokens by provider, model, virtual key and type.") }
    static var cost: MetricNameDescriptor { d(MetricNames.cost, "Cost in USD by provider, model and virtual key.") }
    static var inFlight: MetricNameDescriptor { d(MetricNames.inFlight, "Requests being served now.") }
    static var upstreamErrors: MetricNameDescriptor { d(MetricNames.upstreamErrors, "Failed upstream calls by provider and kind.") }
    static var reloads: MetricNameDescriptor { d(MetricNames.reloads, "Config reloads by result (success, failure).") }
    static var logRowsDropped: MetricNameDescriptor { d(MetricNames.logRowsDropped, "Request-log rows dropped because the write queue was full.") }
    static var asyncJobs: MetricNameDescriptor { d(MetricNames.asyncJobs, "Async jobs by event (submitted, done, failed).") }
    static var cacheLookups: MetricNameDescriptor { d(MetricNames.cacheLookups, "Cache plugin lookups by route, mode and result (hit, miss, skip).") }
    static var targetCooling: MetricNameDescriptor { d(MetricNames.targetCooling, "1 while the target is in cooldown, else 0.") }
    static var targetFailures: MetricNameDescriptor { d(MetricNames.targetFailures, "The target's failures since its last success.") }
    static var targetInFlight: MetricNameDescriptor { d(MetricNames.targetInFlight, "Requests to the model-group target in flight in this instance.") }
    static var targetTTFB: MetricNameDescriptor { d(MetricNames.targetTTFB, "The model-group target's moving average of time to first byte, seconds.") }
    static var targetCooldowns: MetricNameDescriptor { d(MetricNames.targetCooldowns, "Cooldowns the target entered.") }
    static var keyCooling: MetricNameDescriptor { d(MetricNames.keyCooling, "1 while the provider key (by its place in keys:) is in cooldown, else 0.") }
    static var retries: MetricNameDescriptor { d(MetricNames.retries, "Calls made to this target after another call of the same request failed.") }
}
