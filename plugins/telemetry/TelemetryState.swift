import Logging
import TollgateCore
import TollgateStore

/// What telemetry keeps for the life of the process: the metrics registry and the request-log
/// writer. Made once (the first telemetry entry loaded, or at start), then found again by
/// every reload, so counters and the write queue survive config changes. Making it registers
/// `/metrics` and `/admin/logs` on the admin listener and starts counting reloads.
final class TelemetryState: Sendable {
    let metrics: TelemetryMetrics
    /// Nil without a store: the request log is then off, metrics and access log still work.
    let writer: RequestLogWriter?
    let logger: Logger

    static let key = "telemetry.state"

    static func shared(_ services: GatewayServices) -> TelemetryState {
        services.shared(key) { TelemetryState(services) }
    }

    private init(_ services: GatewayServices) {
        let metrics = TelemetryMetrics()
        self.metrics = metrics
        logger = services.logger
        let writer = services.store.map { RequestLogWriter(store: $0, logger: services.logger, dropped: metrics.logRowsDropped) }
        self.writer = writer
        writer?.start()

        let store = services.store
        let health = services.health
        services.admin.register("/metrics") { _ in
            metrics.refreshHealth(health.snapshot())
            return AdminResponse(contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics.exposition())
        }
        services.admin.register("/admin/logs") { req in
            await AdminLogsEndpoint.handle(req, store: store, writer: writer)
        }
        let success = metrics.reloadCounter("success"), failure = metrics.reloadCounter("failure")
        ReloadHooks.observe { ok in (ok ? success : failure).increment() }
    }

    func shutdown() async {
        await writer?.shutdown()
    }
}
