import TollgateConfig
import TollgateProtocols

/// A provider ready to call: endpoint parsed, keys gathered (config, else environment). Built
/// at config load; a request only picks a key and appends a path.
public struct Provider: Sendable {
    public var name: String
    public var kind: ProviderKind
    public var endpoint: UpstreamURL?
    public var keys: [Key]
    public var apiVersion: String?
    public var deployments: [String: String]
    public var project: String?
    public var region: String?
    public var models: [String]

    public struct Key: Sendable {
        public var value: String
        public var weight: Int
        public var models: [Glob]
    }

    /// Picks a key for `model`: a weighted random choice among the keys whose `models` allow it
    /// (no health: side calls that are not the request's own).
    public func key(for model: String) -> String? {
        pickKey(for: model, board: nil)?.value
    }

    /// A key for `model` and its place in `keys` (nil when the provider has one key for every
    /// model): the weighted choice among the keys whose `models` allow it, less `avoid` (a
    /// key that just failed this request) and those cooling down (docs/routing.md); when all
    /// are cooling down, the one whose cooldown ends first.
    public func pickKey(for model: String, board: HealthBoard?, avoid: Int? = nil) -> (value: String, index: Int?)? {
        // One key for every model, the usual case: no draw.
        if keys.count == 1, keys[0].models.isEmpty { return avoid == nil ? (keys[0].value, nil) : nil }
        var candidates: [Int] = []
        for (i, k) in keys.enumerated() where i != avoid && k.weight > 0 && (k.models.isEmpty || k.models.contains(where: { $0.matches(model) })) {
            candidates.append(i)
        }
        let ready = WeightedChoice.ready(candidates, board: board) { "\(name)#\($0 + 1)" }
        guard !ready.isEmpty else { return nil }
        let i = WeightedChoice.draw(ready) { keys[$0].weight }
        return (keys[i].value, i)
    }

    public var chatProtocol: WireProtocol { kind.chatProtocol }
}

/// Every provider a config can name: the built-ins, then the file's entries over them.
public struct ProviderRegistry: Sendable {
    public private(set) var byName: [String: Provider]

    private static func trimmed(_ s: String) -> String {
        let u = s.utf8
        guard let first = u.firstIndex(where: { $0 > 0x20 }), let last = u.lastIndex(where: { $0 > 0x20 }) else { return "" }
        return String(s[first...last])
    }

    /// `kinds`: the provider kinds a `type:` may name (tests add their own).
    public init(
        config: [ProviderConfig], environment: [String: String], kinds: [any ProviderAdapter] = ProviderKinds.builtin
    ) throws(ConfigErrors) {
        var kindByType: [String: ProviderKind] = [:]
        for k in kinds { kindByType[k.type] = ProviderKind(k) }
        var map: [String: Provider] = [:]
        var errors: [ConfigError] = []
        for b in BuiltinProvider.all {
            // A trailing newline (a key file read into the variable) is trimmed; any other
            // control character would end up in the Authorization header: refused.
            var key = b.keyVariable.flatMap { environment[$0] }.map(Self.trimmed).flatMap { $0.isEmpty ? nil : $0 }
            if let k = key, let v = b.keyVariable, !HeaderSafety.isSafeValue(k) {
                errors.append(ConfigError(mark: .file("$" + v), message: "contains a control character; it is sent in an HTTP header"))
                key = nil
            }
            map[b.name] = Provider(
                name: b.name, kind: b.kind, endpoint: UpstreamURL(b.endpoint),
                keys: key.map { [Provider.Key(value: $0, weight: 1, models: [])] } ?? [],
                apiVersion: b.kind.adapter.defaultAPIVersion, deployments: [:], project: nil,
                region: nil, models: [])
        }
        for c in config {
            guard let kind = kindByType[c.type] ?? BuiltinProvider.named(c.type)?.kind else {
                errors.append(ConfigError(mark: c.mark, message: "provider '\(c.name)' has unknown type '\(c.type)'"))
                continue
            }
            var p = map[c.name] ?? Provider(
                name: c.name, kind: kind, endpoint: BuiltinProvider.named(c.type).flatMap { UpstreamURL($0.endpoint) },
                keys: [], apiVersion: nil, deployments: [:], project: nil, region: nil, models: [])
            p.kind = kind
            if let e = c.endpoint, !e.isEmpty {
                guard var u = UpstreamURL(e) else {
                    errors.append(ConfigError(mark: c.mark, message: "provider '\(c.name)': endpoint '\(e)' is not an http(s) URL"))
                    continue
                }
                if u.path.isEmpty { u.path = kind.adapter.defaultPathPrefix }
                p.endpoint = u
            }
            if !c.keys.isEmpty {
                p.keys = c.keys.map { Provider.Key(value: $0.value, weight: $0.weight, models: $0.models.map { Glob($0) }) }
            }
            if let v = c.apiVersion { p.apiVersion = v }
            if !c.deployments.isEmpty { p.deployments = c.deployments }
            if let v = c.project { p.project = v }
            if let v = c.region { p.region = v }
            p.models = c.models
            if kind.adapter.needsEndpoint, p.endpoint == nil {
                errors.append(ConfigError(mark: c.mark, message: "provider '\(c.name)' of type \(kind.name) needs an endpoint"))
            }
            map[c.name] = p
        }
        if !errors.isEmpty { throw ConfigErrors(errors: errors) }
        byName = map
    }

    public subscript(name: String) -> Provider? { byName[name] }
    public var names: [String] { byName.keys.sorted() }
}
