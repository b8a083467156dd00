import TollgateConfig

/// `virtual_keys:` at the top of routes.yaml: governance's own section (the core only knows
/// that governance claims the key).
struct VirtualKeysSection: ConfigSection {
    static let key = "virtual_keys"
    var keys: [VirtualKeyConfig]

    init(_ keys: [VirtualKeyConfig]) { self.keys = keys }

    init(decoding node: ConfigNode?, _ d: inout Diagnostics) {
        keys = VirtualKeyConfig.decodeAll(node, &d)
    }

    var secrets: [String] { keys.map(\.key) }
    var clientCredentials: [String] { keys.map(\.key) }
}

/// One entry of `virtual_keys:`: a secret a client presents, and what it may do.
struct VirtualKeyConfig: Sendable {
    var key: String
    var name: String
    /// Allowed "provider/model" patterns; nil = all models.
    var models: [String]?
    var budget: Budget?
    var rateLimit: RateLimit?
    /// The entry's mapping.
    var mark: SourceMark

    init(
        key: String, name: String, models: [String]? = nil, budget: Budget? = nil, rateLimit: RateLimit? = nil,
        mark: SourceMark = SourceMark(file: "", line: 1, column: 1)
    ) {
        self.key = key
        self.name = name
        self.models = models
        self.budget = budget
        self.rateLimit = rateLimit
        self.mark = mark
    }
}

/// A spending cap that resets every period.
struct Budget: Sendable, Equatable {
    var maxUSD: Double
    /// The period in seconds; `1M` (a calendar month) counts as 30 days here, and `period` keeps
    /// the text so the store can reset on calendar months.
    var periodSeconds: Int
    /// As written: `1m`, `1h`, `1d`, `7d`, `30d`, `1M`, …
    var period: String

    init(maxUSD: Double, period: String) {
        self.maxUSD = maxUSD
        self.period = period
        self.periodSeconds = Budget.seconds(ofPeriod: period) ?? 0
    }

    /// Seconds in `N` + unit: `m` minutes, `h` hours, `d` days, `M` months (30 days); nil if the
    /// text is not a period.
    static func seconds(ofPeriod text: String) -> Int? {
        guard let unit = text.last, text.count >= 2 else { return nil }
        let digits = text.dropLast()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits), n > 0 else { return nil }
        let unitSeconds: Int
        switch unit {
        case "m": unitSeconds = 60
        case "h": unitSeconds = 3600
        case "d": unitSeconds = 86400
        case "M": unitSeconds = 30 * 86400
        default: return nil
        }
        let (seconds, overflow) = n.multipliedReportingOverflow(by: unitSeconds)
        return overflow ? nil : seconds
    }

    /// A calendar-month period (`NM`): resets on month boundaries, not every 30 days.
    var isCalendarMonths: Bool { period.hasSuffix("M") }
}

/// Per-key request and token rates; nil means no limit.
struct RateLimit: Sendable, Equatable {
    var requestsPerMinute: Int?
    var tokensPerMinute: Int?

    init(requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
    }
}

extension VirtualKeyConfig {
    static let keys = ["key", "name", "models", "budget", "rate_limit"]

    static func decodeAll(_ node: ConfigNode?, _ d: inout Diagnostics) -> [VirtualKeyConfig] {
        guard let node else { return [] }
        let items = d.read { () throws(ConfigError) in try node.sequence("virtual_keys") } ?? []
        var out: [VirtualKeyConfig] = []
        var names: [String: SourceMark] = [:]
        var secrets: [String: String] = [:]
        for item in items {
            guard let vk = decode(item, &d) else { continue }
            if let first = names[vk.name] {
                d.error("duplicate virtual key name '\(vk.name)' (first defined at line \(first.line))", at: markOf(item, "name"))
                continue
            }
            names[vk.name] = markOf(item, "name")
            if let other = secrets[vk.key] {
                // Never print the secret itself.
                d.error("virtual key '\(vk.name)' has the same key as '\(other)'", at: markOf(item, "key"))
                continue
            }
            secrets[vk.key] = vk.name
            out.append(vk)
        }
        return out
    }

    private static func markOf(_ item: ConfigNode, _ key: String) -> SourceMark {
        if case .mapping(let pairs) = item.value, let pair = pairs.first(where: { $0.key == key }) { return pair.value.mark }
        return item.mark
    }

    static func decode(_ node: ConfigNode, _ d: inout Diagnostics) -> VirtualKeyConfig? {
        guard let m = d.mapping(node, "virtual key", allowed: keys) else { return nil }
        let key = d.read { () throws(ConfigError) in try m.requiredString("key") }
        let name = d.read { () throws(ConfigError) in try m.requiredString("name") }
        let models = d.read { () throws(ConfigError) in try m.stringList("models") }
        let budget = decodeBudget(m, &d)
        let rateLimit = decodeRateLimit(m, &d)
        guard let key, let name else { return nil }
        if key.isEmpty {
            // Usually `key: ${VAR}` with VAR unset; an empty secret must never match a request.
            d.error("virtual key '\(name)' has an empty key (is its environment variable set?)", at: m["key"]?.mark ?? m.mark)
            return nil
        }
        if name.isEmpty {
            d.error("virtual key name must not be empty", at: m["name"]?.mark ?? m.mark)
            return nil
        }
        return VirtualKeyConfig(key: key, name: name, models: models, budget: budget, rateLimit: rateLimit, mark: m.mark)
    }

    private static func decodeBudget(_ m: ConfigMapping, _ d: inout Diagnostics) -> Budget? {
        guard let b = d.mapping(m, "budget", "budget", allowed: ["max_usd", "period"]) else { return nil }
        let maxUSD = d.read { () throws(ConfigError) in try b.requiredDouble("max_usd") }
        let periodNode = b.present("period")
        let period = d.read { () throws(ConfigError) in try b.requiredString("period") }
        if let maxUSD, maxUSD < 0 {
            d.error("max_usd must not be negative", at: b["max_usd"]?.mark ?? b.mark)
            return nil
        }
        guard let maxUSD, let period else { return nil }
        guard Budget.seconds(ofPeriod: period) != nil else {
            d.error("invalid budget period '\(period)' (a number and a unit: m, h, d or M, e.g. 1h, 1d, 7d, 30d, 1M)", at: periodNode?.mark ?? b.mark)
            return nil
        }
        return Budget(maxUSD: maxUSD, period: period)
    }

    private static func decodeRateLimit(_ m: ConfigMapping, _ d: inout Diagnostics) -> RateLimit? {
        guard let r = d.mapping(m, "rate_limit", "rate_limit", allowed: ["requests_per_minute", "tokens_per_minute"]) else { return nil }
        var limit = RateLimit()
        for key in ["requests_per_minute", "tokens_per_minute"] {
            guard let n = d.read({ () throws(ConfigError) in try r.int(key) }) else { continue }
            guard n >= 1 else {
                d.error("\(key) must be at least 1 (leave it out for no limit)", at: r[key]?.mark ?? r.mark)
                continue
            }
            if key == "requests_per_minute" { limit.requestsPerMinute = n } else { limit.tokensPerMinute = n }
        }
        return limit
    }
}
