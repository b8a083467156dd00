import TollgateConfig

/// governance's schema: `{required: bool}`. The keys themselves live in the top-level
/// `virtual_keys:`, shared by every route.
struct GovernanceConfig: Sendable {
    /// A request with no virtual key is refused (401). Default true: a route that names
    /// governance wants keys; `false` lets keyless (or direct-key) requests through unaccounted.
    var required: Bool

    init(_ node: ConfigNode) throws(ConfigError) {
        let m = try node.mapping("governance", allowed: ["required"])
        required = try m.bool("required") ?? true
    }
}
