import TollgateConfig

/// Builds one plugin from its entry in a route. Called at config load only: everything a
/// plugin can work out ahead of requests (parsed URLs, compiled patterns) is worked out here.
public protocol PluginFactory: Sendable {
    var name: String { get }
    func make(_ config: ConfigNode, _ context: PluginBuildContext) throws(ConfigError) -> any Plugin
}

/// What a plugin may see while it is built.
public struct PluginBuildContext: Sendable {
    public var config: GatewayConfig
    public var providers: ProviderRegistry
    public var services: GatewayServices
    public var route: RouteConfig
    public var environment: [String: String]
}
