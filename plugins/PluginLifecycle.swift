import TollgateCore

/// Process-wide plugin work that is not tied to one config version: background tasks and
/// admin endpoints. `tollgate serve` calls `start` once the server listens (the executor
/// exists); `start` registers `shutdown` with the services' shutdown tasks, which serve runs
/// after the drain and before the store closes.
public enum PluginLifecycle {
    public static func start(_ services: GatewayServices) async {
        // /metrics and /admin/logs exist even when no route lists telemetry yet (a reload may
        // add it); making the state registers them.
        _ = TelemetryState.shared(services)
        if let store = services.store {
            let worker = AsyncWorker.shared(services, store: store)
            worker.start()
            await worker.recover()
        }
        services.onShutdown { await shutdown(services) }
    }

    public static func shutdown(_ services: GatewayServices) async {
        if let store = services.store { await AsyncWorker.shared(services, store: store).shutdown() }
        await TelemetryState.shared(services).shutdown()
    }
}
