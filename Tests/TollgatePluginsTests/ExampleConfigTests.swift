import Foundation
import NIOCore
import Testing
import TollgateConfig
import TollgateCore
@testable import TollgatePlugins

/// examples/routes-governance.yaml passes what `tollgate check` checks: it loads and every
/// plugin builds.
@Suite struct ExampleConfigTests {
    @Test func governanceExampleBuilds() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = root.appendingPathComponent("examples/routes-governance.yaml").path
        let config = try ConfigLoader.load(file: file, environment: [:], sections: PluginRegistry.sections)
        #expect(config.warnings.isEmpty)
        #expect(config.section(VirtualKeysSection.self)?.keys.map(\.name) == ["team-a", "interns"])
        let services = GatewayServices(group: MultiThreadedEventLoopGroupSingleton.group, pools: nil, logger: .init(label: "t"), store: nil)
        let runtime = try GatewayRuntime.build(config: config, services: services, factories: PluginRegistry.factories, environment: [:])
        let chat = try #require(runtime.router.match(path: "/v1/chat/completions", method: .POST, host: nil))
        #expect(chat.plugins.contains { $0 is GovernancePlugin })
        let anthropic = try #require(runtime.router.match(path: "/anthropic/v1/messages", method: .POST, host: nil))
        #expect(anthropic.plugins.contains { $0 is HeaderAllowlistPlugin })
        #expect(runtime.prices.price(provider: "openai", model: "gpt-4o-mini")?.input == 0.15)
    }

    @Test func groupsAndCacheExampleBuilds() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = root.appendingPathComponent("examples/routes-groups-cache.yaml").path
        let config = try ConfigLoader.load(file: file, environment: [:], sections: PluginRegistry.sections)
        #expect(config.warnings.isEmpty)
        #expect(config.routing.groups.map(\.name) == ["gpt-4o", "fast"])
        let services = GatewayServices(group: MultiThreadedEventLoopGroupSingleton.group, pools: nil, logger: .init(label: "t"), store: nil)
        let runtime = try GatewayRuntime.build(config: config, services: services, factories: PluginRegistry.factories, environment: [:])
        #expect(runtime.groups["gpt-4o"]?.targets.map(\.qualified) == ["openai/gpt-4o", "azure/gpt-4o"])
        let faq = try #require(runtime.router.match(path: "/faq/v1/chat/completions", method: .POST, host: nil))
        #expect(faq.plugins.contains { ($0 as? CachePlugin)?.config.mode == .semantic })
    }
}
