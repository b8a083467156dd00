import Logging
import TollgateConfig
import TollgateCore
import TollgatePlugins
import Foundation

/// Re-reads the config and swaps the runtime in whole; a bad file leaves the old one serving.
/// Reloads are serialized so two SIGHUPs in a row cannot interleave.
actor Reloader {
    let file: String
    let maxYAMLNodes: Int
    let box: RuntimeBox
    let services: GatewayServices
    let logger: Logger

    init(file: String, maxYAMLNodes: Int, box: RuntimeBox, services: GatewayServices, logger: Logger) {
        self.file = file
        self.maxYAMLNodes = maxYAMLNodes
        self.box = box
        self.services = services
        self.logger = logger
    }

    /// Returns nil on success, else the errors, one `FILE:LINE:COL: message` per line.
    func reload(trigger: String) -> String? {
        let env = ProcessInfo.processInfo.environment
        do {
            let cfg = try ConfigLoader.load(file: file, environment: env, maxYAMLNodes: maxYAMLNodes, sections: PluginRegistry.sections)
            let runtime = try GatewayRuntime.build(config: cfg, services: services, factories: PluginRegistry.factories, environment: env)
            for w in cfg.warnings { logger.warning("\(w.mark): \(w.message)") }
            box.replace(runtime)
            ReloadHooks.reloaded(success: true)
            logger.info("config reloaded (\(trigger)): \(cfg.routes.count) routes")
            return nil
        } catch {
            ReloadHooks.reloaded(success: false)
            let text = error.errors.map(\.description).joined(separator: "\n")
            for e in error.errors { logger.error("config reload failed, keeping the previous config: \(e.description)") }
            return text
        }
    }
}
