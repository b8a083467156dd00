import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TollgateConfig
import TollgateCore
import TollgatePlugins
import TollgateStore
import UnixSignals

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway.")

    @Option(name: .long, help: "The config file.")
    var config = "routes.yaml"

    @Option(name: .long, help: "Most YAML nodes a config may expand to, aliases expanded (an alias bomb is refused).")
    var maxYamlNodes = ConfigLoader.defaultMaxYAMLNodes

    @Option(name: .long, help: "Listen address HOST:PORT, overriding server.listen.")
    var listen: String?

    @Option(name: .long, help: "Log format: text or json.")
    var logFormat: LogFormat = .text

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let format = logFormat, level = logLevel
        LoggingSystem.bootstrap { _ in
            GatewayLogHandler(format: format == .json ? .json : .text, level: level)
        }
        let logger = Logger(label: "tollgate")
        let env = ProcessInfo.processInfo.environment
        let cfg: GatewayConfig
        do {
            cfg = try ConfigLoader.load(file: config, environment: env, maxYAMLNodes: maxYamlNodes, sections: PluginRegistry.sections)
        } catch {
            for e in error.errors { logger.error("\(e.description)") }
            throw ExitCode(1)
        }
        for w in cfg.warnings { logger.warning("\(w.mark): \(w.message)") }

        let listenAddress: HostPort
        if let l = listen {
            guard let hp = HostPort(parsing: l) else {
                logger.error("--listen \(l): expected HOST:PORT")
                throw ExitCode(1)
            }
            listenAddress = hp
        } else {
            listenAddress = cfg.server.listen
        }

        FileLimit.raiseToHardLimit(logger: logger)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let store: any Store
        do {
            store = try await StoreFactory.open(cfg.store, group: group, logger: logger)
        } catch {
            logger.error("\(error)")
            try await group.shutdownGracefully()
            throw ExitCode(1)
        }
        let services = GatewayServices(group: group, pools: try await ConnectionPools(group: group, wire: HTTP1UpstreamWire()), logger: logger, store: store)
        let runtime: GatewayRuntime
        do {
            runtime = try GatewayRuntime.build(config: cfg, services: services, factories: PluginRegistry.factories, environment: env)
        } catch {
            for e in error.errors { logger.error("\(e.description)") }
            try? await store.close()
            try await group.shutdownGracefully()
            throw ExitCode(1)
        }
        let box = RuntimeBox(runtime)
        let reloader = Reloader(file: config, maxYAMLNodes: maxYamlNodes, box: box, services: services, logger: logger)
        let server = GatewayServer(runtime: box, services: services)
        services.executor = server
        let admin = AdminServer(routes: services.admin, token: { box.current.config.admin.token })
        AdminEndpoints.install(services.admin, reloader: reloader, server: server, store: store)

        // Plugins' process-wide work: /metrics, the request-log writer, the async worker (and
        // the jobs a previous run left unfinished). It needs no listener: jobs run in-process.
        await PluginLifecycle.start(services)

        let service = GatewayService(
            server: server, admin: admin, box: box, reloader: reloader, logger: logger, group: group,
            listen: listenAddress, tls: cfg.server.tls, adminListen: cfg.admin.listen)
        let serviceGroup = ServiceGroup(configuration: .init(
            services: [.init(service: service)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await serviceGroup.run()
        // After the drain: plugins flush what they batched (counters, log rows), then the store closes.
        await services.runShutdownTasks()
        do { try await store.close() } catch { logger.error("closing the store: \(error)") }
        try await group.shutdownGracefully()
        logger.info("stopped")
    }
}

enum LogFormat: String, ExpressibleByArgument {
    case text, json
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

extension HostPort {
    static func describe(_ a: SocketAddress) -> String {
        let ip = a.ipAddress ?? "?"
        let host = ip.contains(":") ? "[\(ip)]" : ip
        return "\(host):\(a.port ?? 0)"
    }
}

/// Opens the listeners, runs until SIGTERM/SIGINT, reloading on SIGHUP; then stops accepting,
/// lets requests in flight finish (up to `server.drain_seconds`), and returns so the process
/// exits 0. The listeners open here, inside the service group, so that every signal handler is
/// in place before "listening on" tells anyone they may send one.
struct GatewayService: Service {
    let server: GatewayServer
    let admin: AdminServer
    let box: RuntimeBox
    let reloader: Reloader
    let logger: Logger
    let group: any EventLoopGroup
    let listen: HostPort
    let tls: TLSFiles?
    let adminListen: HostPort

    func run() async throws {
        let hups = await UnixSignalsSequence(trapping: .sighup)
        let bound = try await server.start(listen: listen, wire: HTTP1ServerWire(tls: tls))
        logger.info("listening on \(tls == nil ? "http" : "https")://\(HostPort.describe(bound))")
        let adminBound = try await admin.start(group: group, listen: adminListen)
        logger.info("admin listening on http://\(HostPort.describe(adminBound))")
        await withGracefulShutdownHandler {
            for await _ in hups.cancelOnGracefulShutdown() {
                _ = await reloader.reload(trigger: "SIGHUP")
            }
        } onGracefulShutdown: {
            logger.info("shutting down: draining requests in flight")
        }
        await server.stopAccepting()
        await server.beginDrain()
        let drain = box.current.config.server.drainSeconds
        let left = await server.drain(until: .now + .seconds(drain))
        if left > 0 { logger.warning("drain timed out with \(left) requests in flight") }
        await admin.stop()
    }
}
