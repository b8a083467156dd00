import Foundation
import Testing

@testable import TollgateConfig

/// The repository's own routes.yaml and examples must load cleanly.
@Suite struct ShippedConfigTests {
    @Test func defaultRoutesServeEverySurface() throws {
        let c = try ConfigLoader.load(file: repoRoot() + "/routes.yaml", environment: [:])
        #expect(c.warnings.isEmpty)
        #expect(c.store == .sqlite(path: repoRoot() + "/tollgate.db"))
        let surfaces: [String: String] = [
            "/v1/chat/completions": "openai-chat", "/openai/v1/chat/completions": "openai-chat",
            "/openai/chat/completions": "openai-chat", "/v1/responses": "openai-responses",
            "/openai/v1/responses": "openai-responses", "/v1/embeddings": "openai-embeddings",
            "/openai/v1/embeddings": "openai-embeddings", "/v1/models": "openai-models",
            "/openai/v1/models": "openai-models", "/openai/openai/deployments/*": "azure-chat",
            "/anthropic/v1/messages": "anthropic-messages",
            "/anthropic/v1/messages/count_tokens": "anthropic-count-tokens", "/genai/v1beta/models/*": "genai",
        ]
        #expect(Set(c.routes.map(\.uri)) == Set(surfaces.keys))
        #expect(c.routes.count == surfaces.count)
        for route in c.routes {
            let proxy = try #require(route.plugins.first { $0.name == "ai-proxy" }, "\(route.id)")
            let surface = try proxy.config.mapping("ai-proxy", allowed: ["surface"]).requiredString("surface")
            #expect(surface == surfaces[route.uri], "\(route.uri)")
            #expect(route.methods == [route.uri.hasSuffix("/models") ? "GET" : "POST"], "\(route.uri)")
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
            #expect(throws: Never.self, "\(file)") { try ConfigLoader.load(file: dir + "/" + file, environment: [:]) }
        }
    }
}
