import TollgateCore

/// Every plugin a routes.yaml may name. Adding a plugin: a folder under plugins/, and one line here.
public enum PluginRegistry {
    public static let factories: [any PluginFactory] = [
        AIProxyFactory(),
        GovernanceFactory(),
        HeaderAllowlistFactory(),
        TelemetryFactory(),
        AsyncFactory(),
    ]
}
