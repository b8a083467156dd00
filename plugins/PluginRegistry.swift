import TollgateConfig
import TollgateCore

/// Every plugin a routes.yaml may name. Adding a plugin: a folder under plugins/, and one line here.
public enum PluginRegistry {
    public static let factories: [any PluginFactory] = [
        AIProxyFactory(),
        GovernanceFactory(),
        HeaderAllowlistFactory(),
        TelemetryFactory(),
        AsyncFactory(),
        CacheFactory(),
    ]

    /// The top-level sections of routes.yaml the plugins own, for the loader.
    public static var sections: [any ConfigSection.Type] { factories.flatMap(\.sections) }
}
