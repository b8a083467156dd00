import TollgateConfig

/// async's schema, decoded and checked at load time.
struct AsyncConfig: Sendable, Equatable {
    /// How long a finished job's result is served, unless the submitter's
    /// `x-bf-async-job-result-ttl` says otherwise.
    var ttlSeconds = 3600

    static let keys = ["ttl_seconds"]

    init(ttlSeconds: Int = 3600) { self.ttlSeconds = ttlSeconds }

    init(_ node: ConfigNode) throws(ConfigError) {
        let m = try node.mapping("async", allowed: Self.keys)
        let ttl = try m.int("ttl_seconds") ?? 3600
        guard ttl > 0 else {
            throw ConfigError(mark: m["ttl_seconds"]?.mark ?? m.mark, message: "async: ttl_seconds must be positive")
        }
        ttlSeconds = ttl
    }
}
