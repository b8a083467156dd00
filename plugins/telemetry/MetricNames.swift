/// Every metric the telemetry plugin exposes, in one place (the README lists the same).
/// OpenTelemetry GenAI names where the conventions have one (`gen_ai.client.token.usage` is
/// `gen_ai_client_token_usage` in Prometheus, with the unit as suffix), `tollgate_` otherwise.
enum MetricNames {
    static let requests = "tollgate_requests_total"
    static let requestDuration = "gen_ai_server_request_duration_seconds"
    static let upstreamDuration = "gen_ai_client_operation_duration_seconds"
    static let overhead = "tollgate_gateway_overhead_seconds"
    static let timeToFirstToken = "gen_ai_server_time_to_first_token_seconds"
    static let tokenUsage = "gen_ai_client_token_usage"
    static let tokens = "tollgate_tokens_total"
    static let cost = "tollgate_cost_usd_total"
    static let inFlight = "tollgate_requests_in_flight"
    static let upstreamErrors = "tollgate_upstream_errors_total"
    static let reloads = "tollgate_config_reloads_total"
    static let logRowsDropped = "tollgate_request_log_dropped_total"
    static let asyncJobs = "tollgate_async_jobs_total"
    static let cacheLookups = "tollgate_cache_lookups_total"
    static let targetCooling = "tollgate_target_cooling_down"
    static let targetFailures = "tollgate_target_consecutive_failures"
    static let targetInFlight = "tollgate_target_in_flight"
    static let targetTTFB = "tollgate_target_ttfb_seconds"
    static let targetCooldowns = "tollgate_target_cooldowns_total"
    static let keyCooling = "tollgate_provider_key_cooling_down"
    static let retries = "tollgate_upstream_retries_total"
}

/// Bucket bounds: OpenTelemetry's advice for the GenAI metrics, finer ones for the overhead
/// (the gateway's own share should be well under a millisecond).
enum MetricBuckets {
    static let duration: [Double] = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]
    static let ttft: [Double] = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0]
    static let overhead: [Double] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1]
    static let tokens: [Double] = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]
}
