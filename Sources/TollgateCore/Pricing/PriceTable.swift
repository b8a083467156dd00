import TollgateConfig
import TollgateProtocols

/// Prices by `provider/model`: the config's `pricing:` first, then the built-in table; an exact
/// name first, then the longest prefix (dated snapshots, `-latest`). Built once per config
/// load; a lookup is a dictionary hit and a short scan of one provider's entries.
public struct PriceTable: Sendable {
    /// Per provider, (model prefix, price), longest prefix first. Overrides come before the
    /// built-ins at equal length, so `pricing:` always wins.
    private let byProvider: [String: [(String, ModelPrice)]]

    public init(overrides: [String: Price] = [:]) {
        var map: [String: [(String, ModelPrice)]] = [:]
        for (key, price) in overrides {
            guard let slash = key.firstIndex(of: "/") else { continue }
            var model = String(key[key.index(after: slash)...])
            if model.hasSuffix("*") { model.removeLast() }
            map[String(key[..<slash]), default: []].append(
                (model, ModelPrice(input: price.inputPerMillion, output: price.outputPerMillion)))
        }
        // Stable order: overrides were appended first, so a stable sort keeps them ahead.
        for (provider, entries) in BuiltinPrices.table {
            map[provider, default: []].append(contentsOf: entries.map { ($0.model, $0.price) })
        }
        byProvider = map.mapValues { entries in
            entries.enumerated().sorted { a, b in
                a.element.0.count != b.element.0.count ? a.element.0.count > b.element.0.count : a.offset < b.offset
            }.map(\.element)
        }
    }

    /// The price of `model` at `provider`, or nil when neither the config nor the table knows it.
    public func price(provider: String, model: String) -> ModelPrice? {
        if let p = lookup(provider, model) { return p }
        if let alias = BuiltinPrices.aliases[provider], let p = lookup(alias, model) { return p }
        // Routers (openrouter, together…) name models `vendor/model`.
        if let slash = model.firstIndex(of: "/") {
            return lookup(String(model[..<slash]), String(model[model.index(after: slash)...]))
        }
        return nil
    }

    private func lookup(_ provider: String, _ model: String) -> ModelPrice? {
        guard let entries = byProvider[provider] else { return nil }
        // Longest first, so the first prefix hit is the best one; an exact name is the longest.
        for (prefix, price) in entries where model.hasPrefix(prefix) { return price }
        return nil
    }

    /// USD for `usage`, or nil when the model has no price.
    public func cost(_ usage: Usage, provider: String, model: String) -> Double? {
        guard let p = price(provider: provider, model: model) else { return nil }
        let cached = min(max(usage.cachedInputTokens, 0), usage.inputTokens)
        let uncached = usage.inputTokens - cached
        let cachedRate = p.cachedInput ?? p.input
        return (Double(uncached) * p.input + Double(cached) * cachedRate + Double(usage.outputTokens) * p.output) / 1_000_000
    }
}
