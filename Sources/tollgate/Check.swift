import ArgumentParser
import Foundation
import Logging
import NIOPosix
import TollgateConfig
import TollgateCore
import TollgatePlugins

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate a config file; print each error as FILE:LINE:COL: message.")

    @Option(name: .long, help: "The config file.")
    var config = "routes.yaml"

    @Option(name: .long, help: "Most YAML nodes a config may expand to, aliases expanded (an alias bomb is refused).")
    var maxYamlNodes = ConfigLoader.defaultMaxYAMLNodes

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        do {
            let cfg = try ConfigLoader.load(file: config, environment: env, maxYAMLNodes: maxYamlNodes, sections: PluginRegistry.sections)
            // Building the runtime checks what only plugins know (their own keys, providers).
            let services = GatewayServices(group: MultiThreadedEventLoopGroup.singleton, pools: nil, logger: Logger(label: "check"), store: nil)
            _ = try GatewayRuntime.build(config: cfg, services: services, factories: PluginRegistry.factories, environment: env)
            for w in cfg.warnings { print("\(w.mark): warning: \(w.message)") }
            print("\(config): ok (\(cfg.routes.count) routes)")
        } catch {
            for e in error.errors { print(e.description) }
            throw ExitCode(1)
        }
    }
}
