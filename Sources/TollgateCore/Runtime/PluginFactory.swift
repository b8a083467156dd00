import TollgateConfig

/// Builds one plugin from its entry in a route. Called at config load only: everything a
/// plugin can work out ahead of requests (parsed URLs, compiled patterns) is worked out here.
public protocol PluginFactory: Sendable {
    var name: String { get }
    func make(_ config: ConfigNode, _ context: PluginBuildContext) throws(ConfigError) -> any Plugin
    /// Plugins that must come before this one when a route lists both, each with the reason;
    /// a route that breaks a rule is a `FILE:LINE:COL` error at load (and in `tollgate check`).
    var comesAfter: [OrderRule] { get }
    /// Top-level sections of routes.yaml this plugin owns (governance: `virtual_keys`); the
    /// loader decodes them, and `make` reads them with `context.config.section(_:)`.
    var sections: [any ConfigSection.Type] { get }
    /// Process-wide work not tied to one config version (background tasks, admin endpoints):
    /// started once the server can take requests, whether or not a route names the plugin yet.
    func start(_ services: GatewayServices) async
    /// After the drain, before the store closes.
    func shutdown(_ services: GatewayServices) async
}

extension PluginFactory {
    public var comesAfter: [OrderRule] { [] }
    public var sections: [any ConfigSection.Type] { [] }
    public func start(_ services: GatewayServices) async {}
    public func shutdown(_ services: GatewayServices) async {}
}

/// "`plugin` must come before me in a route's list, because `reason`."
public struct OrderRule: Sendable {
    public var plugin: String
    public var reason: String
    public init(after plugin: String, because reason: String) {
        self.plugin = plugin
        self.reason = reason
    }
}

/// What a plugin may see while it is built.
public struct PluginBuildContext: Sendable {
    public var config: GatewayConfig
    public var providers: ProviderRegistry
    public var services: GatewayServices
    public var route: RouteConfig
    public var environment: [String: String]
}
