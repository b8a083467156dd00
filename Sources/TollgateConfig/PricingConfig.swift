/// USD per one million tokens.
public struct Price: Sendable, Equatable {
    public var inputPerMillion: Double
    public var outputPerMillion: Double

    public init(inputPerMillion: Double, outputPerMillion: Double) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
    }
}

extension Price {
    /// `pricing:`: "provider/model" -> {input, output}, overriding the built-in table.
    static func decodeAll(_ node: ConfigNode?, _ d: inout Diagnostics) -> [String: Price] {
        guard let node, let m = d.openMapping(node, "pricing") else { return [:] }
        var out: [String: Price] = [:]
        for entry in m.entries {
            let parts = entry.key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                d.error("pricing key '\(entry.key)' must be provider/model, e.g. openai/gpt-4o-mini", at: entry.keyMark)
                continue
            }
            guard let p = d.mapping(entry.value, "pricing of \(entry.key)", allowed: ["input", "output"]) else { continue }
            let input = d.read { () throws(ConfigError) in try p.requiredDouble("input") }
            let output = d.read { () throws(ConfigError) in try p.requiredDouble("output") }
            guard let input, let output else { continue }
            guard input >= 0, output >= 0 else {
                d.error("prices must not be negative", at: p.mark)
                continue
            }
            out[entry.key] = Price(inputPerMillion: input, outputPerMillion: output)
        }
        return out
    }
}
