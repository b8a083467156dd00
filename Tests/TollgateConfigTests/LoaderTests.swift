import Testing
import TollgateJSON

@testable import TollgateConfig

@Suite struct LoaderTests {
    @Test func emptyFileIsValidWithDefaultsAndAWarning() throws {
        for text in ["", "# only a comment\n", "routes:\n"] {
            let c = try load(text)
            #expect(c.server.listen == HostPort(host: "127.0.0.1", port: 8080))
            #expect(c.server.maxBodyBytes == 33_554_432)
            #expect(c.server.drainSeconds == 30)
            #expect(c.server.tls == nil)
            #expect(c.admin.listen == HostPort(host: "127.0.0.1", port: 9091))
            #expect(c.admin.token == nil)
            #expect(c.store == .sqlite(path: "/etc/tg/tollgate.db"))
            #expect(c.providers.isEmpty && c.section(PluginSectionStub.self)?.node == nil && c.pricing.isEmpty && c.routes.isEmpty)
            #expect(c.warnings.map(\.message) == ["no routes: every request will get 404"])
        }
    }

    @Test func fullExampleFromTheSpec() throws {
        let c = try load("""
            server:
              listen: 0.0.0.0:8443
              max_body_bytes: 1048576
              drain_seconds: 5
              tls: {cert: certs/cert.pem, key: /abs/key.pem}
            admin:
              listen: "[::1]:9092"
              token: ${TOLLGATE_ADMIN_TOKEN}
            store: postgres://u:p@db:5432/tg
            providers:
              openai:
                api_key: ${OPENAI_API_KEY}
              anthropic:
                endpoint: https://api.anthropic.com
                keys:
                  - {value: ${ANTHROPIC_KEY_A}, weight: 3}
                  - {value: ${ANTHROPIC_KEY_B}, weight: 1, models: ["claude-3-5-*"]}
              local-vllm:
                type: openai-compatible
                endpoint: http://10.0.0.5:8000/v1
                models: [qwen2]
              azure:
                endpoint: https://myres.openai.azure.com
                api_key: ${AZURE_API_KEY}
                api_version: 2024-10-21
                deployments: {gpt-4o: my-gpt4o-deployment}
              vertex: {project: p1, region: us-central1}
            virtual_keys:
              - key: ${VK_TEAM_A}
                name: team-a
                models: ["openai/*", "anthropic/claude-3-5-*"]
                budget: {max_usd: 25, period: 30d}
                rate_limit: {requests_per_minute: 60, tokens_per_minute: 200000}
              - {key: vk-b, name: team-b, budget: {max_usd: 2.5, period: 1M}}
            pricing:
              openai/gpt-4o-mini: {input: 0.15, output: 0.60}
            routes:
              - id: chat
                uri: /v1/chat/completions
                methods: [post]
                host: API.example.com
                plugins:
                  - header-allowlist: {allow: [anthropic-beta]}
                  - governance: {required: true}
                  - ai-proxy:
                      provider: anthropic
                      model: claude-3-5-sonnet-20240620
                      api_key: ${ANTHROPIC_API_KEY}
                      override: {endpoint: https://api.anthropic.com/v1/messages}
                  - telemetry: {}
            """, env: [
                "TOLLGATE_ADMIN_TOKEN": "adm", "OPENAI_API_KEY": "sk-o", "ANTHROPIC_KEY_A": "ka", "ANTHROPIC_KEY_B": "kb",
                "AZURE_API_KEY": "az", "VK_TEAM_A": "vk-a", "ANTHROPIC_API_KEY": "sk-a",
            ])
        #expect(c.file == "r.yaml")
        #expect(c.warnings.isEmpty)
        #expect(c.server.listen == HostPort(host: "0.0.0.0", port: 8443))
        #expect(c.server.maxBodyBytes == 1_048_576)
        #expect(c.server.drainSeconds == 5)
        #expect(c.server.tls == TLSFiles(cert: "/etc/tg/certs/cert.pem", key: "/abs/key.pem"))
        #expect(c.server.mark == SourceMark(file: "r.yaml", line: 2, column: 3))
        #expect(c.admin.listen == HostPort(host: "::1", port: 9092))
        #expect(c.admin.token == "adm")
        #expect(c.store == .postgres(url: "postgres://u:p@db:5432/tg"))

        #expect(c.providers.map(\.name) == ["openai", "anthropic", "local-vllm", "azure", "vertex"])
        #expect(c.providers.map(\.type) == ["openai", "anthropic", "openai-compatible", "azure", "vertex"])
        let openai = try #require(c.provider(named: "openai"))
        #expect(openai.keys == [ProviderKey(value: "sk-o", weight: 1)])
        #expect(openai.mark == SourceMark(file: "r.yaml", line: 11, column: 3))
        let anthropic = try #require(c.provider(named: "anthropic"))
        #expect(anthropic.endpoint == "https://api.anthropic.com")
        #expect(anthropic.keys == [ProviderKey(value: "ka", weight: 3), ProviderKey(value: "kb", weight: 1, models: ["claude-3-5-*"])])
        #expect(c.provider(named: "local-vllm")?.models == ["qwen2"])
        let azure = try #require(c.provider(named: "azure"))
        #expect(azure.apiVersion == "2024-10-21")
        #expect(azure.deployments == ["gpt-4o": "my-gpt4o-deployment"])
        #expect(c.provider(named: "vertex")?.project == "p1")
        #expect(c.provider(named: "vertex")?.region == "us-central1")

        // governance decodes its own section (VirtualKeysSectionTests); the loader hands it over.
        #expect(c.section(PluginSectionStub.self)?.node?.mark == SourceMark(file: "r.yaml", line: 29, column: 3))

        #expect(c.pricing == ["openai/gpt-4o-mini": Price(inputPerMillion: 0.15, outputPerMillion: 0.60)])

        let route = try #require(c.routes.first)
        #expect(route.id == "chat" && route.uri == "/v1/chat/completions" && !route.isPrefix)
        #expect(route.methods == ["POST"])
        #expect(route.host == "api.example.com")
        #expect(route.mark == SourceMark(file: "r.yaml", line: 38, column: 5))
        #expect(route.plugins.map(\.name) == ["header-allowlist", "governance", "ai-proxy", "telemetry"])
        #expect(route.plugins[2].mark == SourceMark(file: "r.yaml", line: 45, column: 9))
        let proxy = try route.plugins[2].config.mapping("ai-proxy", allowed: ["provider", "model", "api_key", "override"])
        #expect(try proxy.requiredString("api_key") == "sk-a")
        #expect(try proxy.mapping("override", "override", allowed: ["endpoint"])?.string("endpoint") == "https://api.anthropic.com/v1/messages")
        #expect(try route.plugins[1].config.json() == ["required": true])
    }

    @Test func storeForms() throws {
        #expect(try load("store: memory").store == .memory)
        #expect(try load("store: sqlite:data/tg.db").store == .sqlite(path: "/etc/tg/data/tg.db"))
        #expect(try load("store: sqlite:./tg.db").store == .sqlite(path: "/etc/tg/tg.db"))
        #expect(try load("store: sqlite:/var/lib/tg.db").store == .sqlite(path: "/var/lib/tg.db"))
        #expect(try load("store: sqlite:///var/lib/tg.db").store == .sqlite(path: "/var/lib/tg.db"))
        #expect(try load("store: postgresql://h/db").store == .postgres(url: "postgresql://h/db"))
    }

    @Test func providerKeysAsPlainStringsAndEmptyKeysDropped() throws {
        let c = try load("providers:\n  openai:\n    keys: [k1, \"${UNSET}\", {value: k2, weight: 2}]\n")
        #expect(c.providers[0].keys == [ProviderKey(value: "k1"), ProviderKey(value: "k2", weight: 2)])
    }

    @Test func builtInMayBeRetyped() throws {
        let c = try load("providers:\n  ollama: {type: openai-compatible, endpoint: http://localhost:11434/v1}\n")
        #expect(c.providers[0].type == "openai-compatible")
    }

    @Test func routeDefaultsAndPrefix() throws {
        let c = try load("routes:\n  - id: 7\n    uri: /genai/*\n    methods: get\n")
        let r = c.routes[0]
        #expect(r.id == "7")
        #expect(r.isPrefix)
        #expect(r.methods == ["GET"])
        #expect(r.host == nil)
        #expect(r.plugins.isEmpty)
        #expect(c.warnings.isEmpty)
        #expect(try load("routes: [{id: a, uri: /}]").routes[0].methods == nil)
    }

    @Test func pluginWithNoValueHasANullConfig() throws {
        let c = try load("routes:\n  - id: a\n    uri: /a\n    plugins:\n      - telemetry:\n")
        #expect(c.routes[0].plugins[0].config.isNull)
        #expect(try c.routes[0].plugins[0].config.mapping("telemetry", allowed: ["log_payloads"]).keys.isEmpty)
    }

    @Test func hostPortParsing() {
        #expect(HostPort(parsing: "127.0.0.1:8080") == HostPort(host: "127.0.0.1", port: 8080))
        #expect(HostPort(parsing: "[::1]:80") == HostPort(host: "::1", port: 80))
        #expect(HostPort(parsing: ":8080") == HostPort(host: "0.0.0.0", port: 8080))
        #expect(HostPort(parsing: "localhost:0") == HostPort(host: "localhost", port: 0))
        for bad in ["8080", "host", "host:", "host:65536", "host:-1", "::1:80", "[::1]", "[]:80", "[::1]80", "a b:1", "h:8o"] {
            #expect(HostPort(parsing: bad) == nil, "\(bad)")
        }
        #expect(HostPort(host: "::1", port: 80).description == "[::1]:80")
        #expect(HostPort(host: "0.0.0.0", port: 8080).description == "0.0.0.0:8080")
    }

    @Test func loadResolvesPathsAgainstTheFilesDirectory() throws {
        let dir = FileManagerTemp.make()
        let path = dir + "/routes.yaml"
        try "store: sqlite:x.db\nroutes: [{id: a, uri: /a}]\n".write(toFile: path, atomically: true, encoding: .utf8)
        let c = try ConfigLoader.load(file: path, environment: [:])
        #expect(c.file == path)
        #expect(c.store == .sqlite(path: dir + "/x.db"))
    }

    @Test func anchorsUnderAnXKeyAndMergeKeys() throws {
        let c = try load("""
            x-proxy: &proxy {provider: openai, model: gpt-4o-mini}
            routes:
              - id: chat
                uri: /v1/chat/completions
                plugins:
                  - ai-proxy: {<<: *proxy, surface: openai-chat, model: gpt-4o}
            """)
        #expect(try c.routes[0].plugins[0].config.json() == ["surface": "openai-chat", "model": "gpt-4o", "provider": "openai"])
    }
}
