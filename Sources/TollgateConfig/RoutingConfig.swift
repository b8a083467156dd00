/// `model_groups:` and `health:` (spec section 12, docs/routing.md): one model name served by
/// several targets, and when a failing target or key is left out.
public struct RoutingConfig: Sendable {
    /// By name, in file order.
    public var groups: [ModelGroupConfig] = []
    public var health = HealthConfig()

    public init(groups: [ModelGroupConfig] = [], health: HealthConfig = HealthConfig()) {
        self.groups = groups
        self.health = health
    }
}

public struct ModelGroupConfig: Sendable {
    public enum Strategy: String, Sendable, CaseIterable {
        case weighted
        case leastBusy = "least-busy"
        case lowestLatency = "lowest-latency"
    }

    public struct Target: Sendable, Equatable {
        public var provider: String
        public var model: String
        public var weight: Int
        public init(provider: String, model: String, weight: Int = 1) {
            self.provider = provider
            self.model = model
            self.weight = weight
        }
    }

    public var name: String
    public var strategy: Strategy
    public var targets: [Target]
    public var fallbacks: [Target]
    public var mark: SourceMark

    public init(name: String, strategy: Strategy = .weighted, targets: [Target], fallbacks: [Target] = [], mark: SourceMark) {
        self.name = name
        self.strategy = strategy
        self.targets = targets
        self.fallbacks = fallbacks
        self.mark = mark
    }
}

public struct HealthConfig: Sendable, Equatable {
    public var failuresToCooldown = 3
    public var cooldownSeconds: Double = 30
    public var retries = 0
    public init(failuresToCooldown: Int = 3, cooldownSeconds: Double = 30, retries: Int = 0) {
        self.failuresToCooldown = failuresToCooldown
        self.cooldownSeconds = cooldownSeconds
        self.retries = retries
    }
}

extension RoutingConfig {
    static let groupKeys = ["strategy", "targets", "fallbacks"]
    static let targetKeys = ["model", "weight"]
    static let healthKeys = ["failures_to_cooldown", "cooldown_seconds", "retries"]

    /// `providers`: every name a target may use (built-in and configured).
    static func decode(groups: ConfigNode?, health: ConfigNode?, providers: Set<String>, _ d: inout Diagnostics) -> RoutingConfig {
        var config = RoutingConfig()
        if let health, let m = d.mapping(health, "health", allowed: healthKeys) {
            if let v = d.read({ () throws(ConfigError) in try m.int("failures_to_cooldown") }) {
                if v >= 1 { config.health.failuresToCooldown = v } else { d.error("failures_to_cooldown must be at least 1", at: m["failures_to_cooldown"]?.mark ?? m.mark) }
            }
            if let v = d.read({ () throws(ConfigError) in try m.double("cooldown_seconds") }) {
                if v >= 0 { config.health.cooldownSeconds = v } else { d.error("cooldown_seconds must not be negative", at: m["cooldown_seconds"]?.mark ?? m.mark) }
            }
            if let v = d.read({ () throws(ConfigError) in try m.int("retries") }) {
                if v >= 0 { config.health.retries = v } else { d.error("retries must not be negative", at: m["retries"]?.mark ?? m.mark) }
            }
        }
        guard let groups, let all = d.openMapping(groups, "model_groups") else { return config }
        for entry in all.entries {
            if let g = decodeGroup(entry.key, entry.keyMark, entry.value, providers: providers, &d) { config.groups.append(g) }
        }
        return config
    }

    private static func decodeGroup(
        _ name: String, _ mark: SourceMark, _ node: ConfigNode, providers: Set<String>, _ d: inout Diagnostics
    ) -> ModelGroupConfig? {
        if name.isEmpty { d.error("a model group needs a name", at: mark) }
        // `openai` or `openai/x` would never be reached: the provider prefix is read first by
        // every client that means the provider, so the name is refused rather than ambiguous.
        let prefix = name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? name
        if providers.contains(prefix) {
            d.error("model group '\(name)' shadows provider '\(prefix)' (a model '\(prefix)/…' means that provider); choose another name", at: mark)
        }
        guard let m = d.mapping(node, "model group '\(name)'", allowed: groupKeys) else { return nil }
        var strategy = ModelGroupConfig.Strategy.weighted
        if let s = d.read({ () throws(ConfigError) in try m.string("strategy") }) {
            if let v = ModelGroupConfig.Strategy(rawValue: s) {
                strategy = v
            } else {
                d.error("unknown strategy '\(s)' (allowed: \(ModelGroupConfig.Strategy.allCases.map(\.rawValue).joined(separator: ", ")))", at: m["strategy"]?.mark ?? m.mark)
            }
        }
        var targets: [ModelGroupConfig.Target] = []
        let items = d.sequence(m, "targets")
        for item in items {
            if let t = decodeTarget(item, providers: providers, &d) { targets.append(t) }
        }
        if items.isEmpty { d.error("model group '\(name)' needs targets", at: m["targets"]?.mark ?? mark) }
        if items.count > 64 { d.error("model group '\(name)' has \(items.count) targets; at most 64", at: m["targets"]?.mark ?? mark) }
        var fallbacks: [ModelGroupConfig.Target] = []
        for item in d.sequence(m, "fallbacks") {
            guard let s = d.read({ () throws(ConfigError) in try item.string() }) else { continue }
            if let t = target(s, at: item.mark, providers: providers, &d) { fallbacks.append(t) }
        }
        guard !targets.isEmpty else { return nil }
        return ModelGroupConfig(name: name, strategy: strategy, targets: targets, fallbacks: fallbacks, mark: mark)
    }

    /// `{model: provider/model, weight: 3}`, or just `provider/model`.
    private static func decodeTarget(_ node: ConfigNode, providers: Set<String>, _ d: inout Diagnostics) -> ModelGroupConfig.Target? {
        if case .scalar = node.value {
            guard let s = d.read({ () throws(ConfigError) in try node.string() }) else { return nil }
            return target(s, at: node.mark, providers: providers, &d)
        }
        guard let m = d.mapping(node, "target", allowed: targetKeys) else { return nil }
        guard let s = d.read({ () throws(ConfigError) in try m.requiredString("model") }) else { return nil }
        guard var t = target(s, at: m["model"]?.mark ?? m.mark, providers: providers, &d) else { return nil }
        if let w = d.read({ () throws(ConfigError) in try m.int("weight") }) {
            if w >= 1 { t.weight = w } else { d.error("weight must be at least 1", at: m["weight"]?.mark ?? m.mark) }
        }
        return t
    }

    private static func target(_ s: String, at mark: SourceMark, providers: Set<String>, _ d: inout Diagnostics) -> ModelGroupConfig.Target? {
        let parts = s.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            d.error("a target is 'provider/model', got '\(s)'", at: mark)
            return nil
        }
        let provider = String(parts[0])
        guard providers.contains(provider) else {
            d.error("unknown provider '\(provider)' in '\(s)' (known: \(providers.sorted().joined(separator: ", ")))", at: mark)
            return nil
        }
        return ModelGroupConfig.Target(provider: provider, model: String(parts[1]))
    }
}
