import Foundation
import Testing

@testable import TollgateConfig

/// The repository's own routes.yaml and examples must load cleanly.
@Suite struct ShippedConfigTests {
    /// One prefix route per base URL, each with ai-proxy reading the operation from the path
    /// (which path gets which surface: the plugins' SurfaceByPathTests).
    @Test func defaultRoutesArePrefixRoutesPerBaseURL() throws {
        let c = try ConfigLoader.load(file: repoRoot() + "/routes.yaml", environment: [:])
        #expect(c.warnings.isEmpty)
        #expect(c.store == .sqlite(path: repoRoot() + "/tollgate.db"))
        #expect(Set(c.routes.map(\.uri)) == ["/v1/*", "/openai/*", "/anthropic/*", "/genai/*"])
        for route in c.routes {
            let proxy = try #require(route.plugins.first { $0.name == "ai-proxy" }, "\(route.id)")
            #expect(try proxy.config.mapping("ai-proxy", allowed: ["surface"]).string("surface") == nil, "\(route.uri)")
        }
    }

    @Test func defaultRoutesHonourListenAndToken() throws {
        let c = try ConfigLoader.load(
            file: repoRoot() + "/routes.yaml", environment: ["TOLLGATE_LISTEN": ":9999", "TOLLGATE_ADMIN_TOKEN": "t"])
        #expect(c.server.listen == HostPort(host: "0.0.0.0", port: 9999))
        #expect(c.admin.token == "t")
    }

    @Test func minimalExample() throws {
        let c = try ConfigLoader.load(file: repoRoot() + "/examples/routes-minimal.yaml", environment: ["OPENAI_API_KEY": "sk"])
        #expect(c.warnings.isEmpty)
        #expect(c.routes.map(\.uri) == ["/v1/chat/completions"])
        let config = try c.routes[0].plugins[0].config.json()
        #expect(config == ["surface": "openai-chat", "provider": "openai", "model": "gpt-4o-mini", "api_key": "sk"])
    }

    @Test func apisixAnthropicExample() throws {
        let c = try ConfigLoader.load(
            file: repoRoot() + "/examples/routes-apisix-anthropic.yaml", environment: ["ANTHROPIC_API_KEY": "sk-ant"])
        #expect(c.warnings.isEmpty)
        let route = try #require(c.routes.first)
        #expect(route.uri == "/v1/chat/completions")
        #expect(try route.plugins[0].config.json() == [
            "surface": "openai-chat", "provider": "anthropic", "model": "claude-3-5-sonnet-20240620",
            "api_key": "sk-ant", "override": ["endpoint": "https://api.anthropic.com/v1/messages"],
        ])
    }

    @Test func everyExampleLoads() throws {
        let dir = repoRoot() + "/examples"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }
        #expect(!files.isEmpty)
        for file in files {
            #expect(throws: Never.self, "\(file)") { try ConfigLoader.load(file: dir + "/" + file, environment: [:], sections: [PluginSectionStub.self]) }
        }
    }
}
