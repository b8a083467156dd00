import NIOHTTP1
import Testing
import TollgateConfig
import TollgateCore

@Suite struct ProviderTests {
    func registry(_ yaml: [ProviderConfig] = [], env: [String: String] = [:]) throws -> ProviderRegistry {
        try ProviderRegistry(config: yaml, environment: env)
    }

    @Test func builtinsReadTheirKeyFromTheEnvironment() throws {
        let r = try registry(env: ["ANTHROPIC_API_KEY": "ak", "GROQ_API_KEY": "gk"])
        #expect(r["anthropic"]?.key(for: "claude") == "ak")
        #expect(r["groq"]?.key(for: "llama") == "gk")
        #expect(r["openai"]?.key(for: "gpt") == nil)
    }

    @Test func environmentKeysAreTrimmedAndRefusedWithAControlCharacterInside() throws {
        let r = try registry(env: ["ANTHROPIC_API_KEY": "ak-file\r\n"])
        #expect(r["anthropic"]?.key(for: "m") == "ak-file")
        #expect(throws: ConfigErrors.self) { try registry(env: ["OPENAI_API_KEY": "sk-a\r\nx-evil: 1"]) }
        do {
            _ = try registry(env: ["OPENAI_API_KEY": "sk-a\nb"])
            Issue.record("a key with a newline inside was accepted")
        } catch {
            #expect((error as? ConfigErrors)?.errors.map(\.description) == ["$OPENAI_API_KEY: contains a control character; it is sent in an HTTP header"])
        }
    }

    @Test func endpointsFollowEachProvidersLayout() throws {
        var cfg = ProviderConfig(name: "azure", type: "azure", mark: SourceMark(file: "f", line: 1, column: 1))
        cfg.endpoint = "https://res.openai.azure.com"
        cfg.deployments = ["gpt-4o": "prod-4o"]
        var vtx = ProviderConfig(name: "vertex", type: "vertex", mark: SourceMark(file: "f", line: 1, column: 1))
        vtx.project = "p1"
        vtx.region = "us-central1"
        var local = ProviderConfig(name: "local", type: "openai-compatible", mark: SourceMark(file: "f", line: 1, column: 1))
        local.endpoint = "http://127.0.0.1:9000"
        let r = try registry([cfg, vtx, local])
        #expect(try r["openai"]?.url(.chat(stream: false), model: "m")?.description == "https://api.openai.com/v1/chat/completions")
        #expect(try r["anthropic"]?.url(.chat(stream: true), model: "m")?.description == "https://api.anthropic.com/v1/messages")
        #expect(try r["gemini"]?.url(.chat(stream: true), model: "gemini-2.5-flash")?.description
            == "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse")
        #expect(try r["azure"]?.url(.chat(stream: false), model: "gpt-4o")?.description
            == "https://res.openai.azure.com/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21")
        #expect(try r["vertex"]?.url(.chat(stream: false), model: "gemini-pro")?.description
            == "https://us-central1-aiplatform.googleapis.com/v1/projects/p1/locations/us-central1/publishers/google/models/gemini-pro:generateContent")
        #expect(try r["ollama"]?.url(.chat(stream: true), model: "llama3.1:8b")?.description == "http://localhost:11434/api/chat")
        // An endpoint with no path keeps the OpenAI-style /v1 prefix.
        #expect(try r["local"]?.url(.chat(stream: false), model: "q")?.description == "http://127.0.0.1:9000/v1/chat/completions")
    }

    @Test func authHeadersPerProvider() throws {
        let r = try registry()
        func fields(_ provider: String, _ key: String?) -> HTTPHeaders {
            var f: [(String, String)] = []
            r[provider]?.authHeaders(key, into: &f)
            return HTTPHeaders(f)
        }
        let a = fields("anthropic", "k")
        #expect(a["x-api-key"] == ["k"] && a["anthropic-version"] == ["2023-06-01"] && a["authorization"].isEmpty)
        #expect(fields("gemini", "g")["x-goog-api-key"] == ["g"])
        #expect(fields("azure", "z")["api-key"] == ["z"])
        #expect(fields("openai", "o")["authorization"] == ["Bearer o"])
        #expect(fields("openai", nil).isEmpty && fields("openai", "").isEmpty)
    }

    @Test func ownRequestHeadersCoverWhatTheGatewaySets() throws {
        let r = try registry()
        for adapter in ProviderKinds.builtin {
            guard let p = r.byName.values.first(where: { $0.kind.name == adapter.type }) else {
                Issue.record("no built-in provider of kind \(adapter.type)")
                continue
            }
            var f: [(String, String)] = []
            p.authHeaders("key", into: &f)
            for name in f.map(\.0) + ["host", "content-length", "content-type", "accept"] {
                #expect(adapter.ownRequestHeaders.contains(name), "\(adapter.type): \(name)")
            }
        }
        #expect(!OpenAIAdapter().ownRequestHeaders.contains("x-api-key"))
        #expect(OpenAIAdapter().ownRequestHeaders.contains("Authorization"))
    }

    @Test func weightedKeysRespectModelPatterns() throws {
        var cfg = ProviderConfig(name: "anthropic", type: "anthropic", mark: SourceMark(file: "f", line: 1, column: 1))
        cfg.keys = [ProviderKey(value: "a", weight: 3), ProviderKey(value: "b", weight: 1, models: ["claude-3-5-*"])]
        let r = try registry([cfg])
        for _ in 0..<50 { #expect(r["anthropic"]?.key(for: "claude-opus-4") == "a") }
        let picks = Set((0..<200).compactMap { _ in r["anthropic"]?.key(for: "claude-3-5-sonnet") })
        #expect(picks == ["a", "b"])
    }

    @Test func customProviderNeedsKnownType() throws {
        let bad = ProviderConfig(name: "x", type: "nope", mark: SourceMark(file: "routes.yaml", line: 4, column: 3))
        #expect(throws: ConfigErrors.self) { try registry([bad]) }
    }
}
