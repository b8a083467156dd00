import TollgateCore

/// Starts and stops every plugin's process-wide work, through its factory. `tollgate serve`
/// calls `start` once the server can take requests (the executor exists); `start` registers
/// `shutdown` with the services' shutdown tasks, which serve runs after the drain and before
/// the store closes.
public enum PluginLifecycle {
    public static func start(_ services: GatewayServices, factories: [any PluginFactory] = PluginRegistry.factories) async {
        for f in factories { await f.start(services) }
        services.onShutdown { await shutdown(services, factories: factories) }
    }

    /// In reverse order of the registry: a plugin stops before the ones listed ahead of it.
    public static func shutdown(_ services: GatewayServices, factories: [any PluginFactory] = PluginRegistry.factories) async {
        for f in factories.reversed() { await f.shutdown(services) }
    }
}
