/// One entry of `providers:`. Built-in providers exist without an entry; an entry configures or
/// overrides one, or adds a custom one (which needs a `type`).
public struct ProviderConfig: Sendable {
    /// The name requests use as a model prefix (`local-vllm/qwen2`).
    public var name: String
    /// The protocol and defaults to use: the name for built-ins, else the `type` key.
    public var type: String
    /// Base URL as the provider's own SDK takes it (spec section 4).
    public var endpoint: String?
    /// `api_key` shorthand becomes one key of weight 1. Keys whose value is empty (an unset
    /// `${VAR}`) are dropped, so an absent variable means "no configured key", not "send ''".
    public var keys: [ProviderKey]
    public var apiVersion: String?
    /// model -> deployment (Azure); a model not listed uses its own name.
    public var deployments: [String: String]
    public var project: String?
    public var region: String?
    /// Models to list on GET /v1/models.
    public var models: [String]
    /// The provider's name key.
    public var mark: SourceMark

    public init(
        name: String, type: String? = nil, endpoint: String? = nil, keys: [ProviderKey] = [],
        apiVersion: String? = nil, deployments: [String: String] = [:], project: String? = nil,
        region: String? = nil, models: [String] = [], mark: SourceMark = SourceMark(file: "", line: 1, column: 1)
    ) {
        self.name = name
        self.type = type ?? name
        self.endpoint = endpoint
        self.keys = keys
        self.apiVersion = apiVersion
        self.deployments = deployments
        self.project = project
        self.region = region
        self.models = models
        self.mark = mark
    }

    /// Every provider type; the built-in providers are these names less `openai-compatible`.
    public static let types = [
        "openai", "anthropic", "gemini", "vertex", "azure", "ollama", "openai-compatible", "mistral",
        "groq", "deepseek", "openrouter", "xai", "together", "fireworks", "cerebras", "perplexity",
    ]

    /// Providers that exist with no entry in `providers:`.
    public static let builtInNames = types.filter { $0 != "openai-compatible" }
}

/// One upstream key. Several keys are chosen among at random, by weight, per request.
public struct ProviderKey: Sendable, Equatable {
    public var value: String
    public var weight: Int
    /// Model patterns (`claude-3-5-*`) this key may serve; empty = all.
    public var models: [String]

    public init(value: String, weight: Int = 1, models: [String] = []) {
        self.value = value
        self.weight = weight
        self.models = models
    }
}

extension ProviderConfig {
    static let keys = ["type", "endpoint", "api_key", "keys", "api_version", "deployments", "project", "region", "models"]

    static func decodeAll(_ node: ConfigNode?, _ d: inout Diagnostics) -> [ProviderConfig] {
        guard let node, let m = d.openMapping(node, "providers") else { return [] }
        var out: [ProviderConfig] = []
        for entry in m.entries {
            if let provider = decode(name: entry.key, nameMark: entry.keyMark, entry.value, &d) {
                out.append(provider)
            }
        }
        return out
    }

    static func decode(name: String, nameMark: SourceMark, _ node: ConfigNode, _ d: inout Diagnostics) -> ProviderConfig? {
        let context = "provider '\(name)'"
        // The name is the model prefix in "name/model", so it cannot hold a slash.
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            d.error("invalid provider name '\(name)' (use letters, digits, '-', '_' and '.')", at: nameMark)
            return nil
        }
        guard let m = d.mapping(node, context, allowed: keys) else { return nil }
        var provider = ProviderConfig(name: name, mark: nameMark)

        if let typeNode = m.present("type") {
            if let type = d.read({ () throws(ConfigError) in try typeNode.string() }) {
                if types.contains(type) {
                    provider.type = type
                } else {
                    d.error("unknown provider type '\(type)' (known: \(types.joined(separator: ", ")))", at: typeNode.mark)
                }
            }
        } else if !builtInNames.contains(name) {
            d.error("provider '\(name)' is not built in and needs a 'type' (one of: \(types.joined(separator: ", ")))", at: nameMark)
        }

        if let endpointNode = m.present("endpoint"), let endpoint = d.read({ () throws(ConfigError) in try endpointNode.string() }) {
            if endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") {
                provider.endpoint = endpoint
            } else {
                d.error("endpoint must be an http:// or https:// URL, got '\(endpoint)'", at: endpointNode.mark)
            }
        }

        if m.present("api_key") != nil, m.present("keys") != nil {
            d.error("use either 'api_key' or 'keys', not both", at: m.keyMark("keys") ?? m.mark)
        }
        if let key = d.read({ () throws(ConfigError) in try m.headerString("api_key") }), !key.isEmpty {
            provider.keys = [ProviderKey(value: key)]
        }
        for item in d.sequence(m, "keys") {
            if let key = decodeKey(item, &d), !key.value.isEmpty { provider.keys.append(key) }
        }

        provider.apiVersion = d.read { () throws(ConfigError) in try m.pathToken("api_version") }
        provider.project = d.read { () throws(ConfigError) in try m.pathToken("project") }
        provider.region = d.read { () throws(ConfigError) in try m.pathToken("region") }
        provider.models = d.read { () throws(ConfigError) in try m.stringList("models") } ?? []
        if let node = m.present("deployments"), let deployments = d.openMapping(node, "deployments") {
            for entry in deployments.entries {
                if let deployment = d.read({ () throws(ConfigError) in try entry.value.pathToken() }) {
                    provider.deployments[entry.key] = deployment
                }
            }
        }
        return provider
    }

    /// A `keys:` item: `{value, weight, models}`, or just the key as a string.
    static func decodeKey(_ node: ConfigNode, _ d: inout Diagnostics) -> ProviderKey? {
        if case .scalar = node.value {
            return d.read { () throws(ConfigError) in try node.headerString() }.map { ProviderKey(value: $0) }
        }
        guard let m = d.mapping(node, "provider key", allowed: ["value", "weight", "models"]) else { return nil }
        guard let value = d.read({ () throws(ConfigError) in try m.requiredString("value") }) else { return nil }
        if !HeaderSafety.isSafeValue(value) {
            d.error("contains a control character (a stray newline?); it is sent in an HTTP header", at: m["value"]?.mark ?? m.mark)
            return nil
        }
        var key = ProviderKey(value: value)
        if let weight = d.read({ () throws(ConfigError) in try m.int("weight") }) {
            if weight >= 1 { key.weight = weight } else { d.error("weight must be at least 1", at: m["weight"]?.mark ?? m.mark) }
        }
        key.models = d.read { () throws(ConfigError) in try m.stringList("models") } ?? []
        return key
    }
}
