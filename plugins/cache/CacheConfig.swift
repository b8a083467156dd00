import TollgateConfig
import TollgateCore

/// cache's schema (plugins/cache/README.md).
struct CacheConfig: Sendable {
    enum Mode: String, Sendable { case exact, semantic }

    var mode = Mode.exact
    var ttlSeconds: Double = 3600
    var threshold = 0.95
    /// `semantic` only: the provider and model that embed prompts.
    var embedding: ResolvedTarget?
    var includeTools = false
    var maxEntries = 10_000
    var maxEntryBytes = 1 << 20

    static let keys = ["mode", "ttl_seconds", "threshold", "embedding_model", "include_tools", "max_entries", "max_entry_bytes"]

    init(_ node: ConfigNode, providers: ProviderRegistry) throws(ConfigError) {
        let m = try node.mapping("cache", allowed: Self.keys)
        func at(_ key: String) -> SourceMark { m[key]?.mark ?? m.mark }
        if let s = try m.string("mode") {
            guard let v = Mode(rawValue: s) else { throw ConfigError(mark: at("mode"), message: "cache: unknown mode '\(s)' (exact or semantic)") }
            mode = v
        }
        if let v = try m.double("ttl_seconds") {
            guard v >= 1 else { throw ConfigError(mark: at("ttl_seconds"), message: "cache: ttl_seconds must be at least 1") }
            ttlSeconds = v
        }
        if let v = try m.double("threshold") {
            guard v >= 0, v <= 1 else { throw ConfigError(mark: at("threshold"), message: "cache: threshold must be between 0 and 1, got \(v)") }
            threshold = v
        }
        includeTools = try m.bool("include_tools") ?? false
        if let v = try m.int("max_entries") {
            guard v >= 1 else { throw ConfigError(mark: at("max_entries"), message: "cache: max_entries must be at least 1") }
            maxEntries = v
        }
        if let v = try m.int("max_entry_bytes") {
            guard v >= 1 else { throw ConfigError(mark: at("max_entry_bytes"), message: "cache: max_entry_bytes must be at least 1") }
            maxEntryBytes = v
        }
        if let s = try m.string("embedding_model") {
            let parts = s.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[1].isEmpty, let p = providers[String(parts[0])] else {
                throw ConfigError(mark: at("embedding_model"), message: "cache: embedding_model must be 'provider/model' with a known provider, got '\(s)'")
            }
            guard p.supports(.embeddings), p.wireProtocol(.embeddings) == .openAIEmbeddings else {
                throw ConfigError(mark: at("embedding_model"), message: "cache: provider '\(p.name)' has no OpenAI-style embeddings API for embedding_model")
            }
            embedding = ResolvedTarget(provider: p.name, model: String(parts[1]))
        }
        if mode == .semantic, embedding == nil {
            throw ConfigError(mark: m.mark, message: "cache: mode semantic needs embedding_model (e.g. openai/text-embedding-3-small)")
        }
    }
}
