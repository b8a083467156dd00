import TollgateConfig

/// telemetry's schema, decoded and checked at load time.
struct TelemetryConfig: Sendable, Equatable {
    /// Keep request and response bodies (capped, secrets redacted) in the request log.
    var logPayloads = false
    /// How long request-log rows are kept.
    var retentionDays = 7

    static let keys = ["log_payloads", "retention_days"]

    init() {}

    init(_ node: ConfigNode) throws(ConfigError) {
        let m = try node.mapping("telemetry", allowed: Self.keys)
        logPayloads = try m.bool("log_payloads") ?? false
        let days = try m.int("retention_days") ?? 7
        guard days > 0 else {
            throw ConfigError(mark: m["retention_days"]?.mark ?? m.mark, message: "telemetry: retention_days must be positive")
        }
        retentionDays = days
    }
}
