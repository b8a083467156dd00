import Testing

@testable import TollgateConfig

/// Every validation error, with its exact `FILE:LINE:COL: message`.
@Suite struct LoaderErrorTests {
    @Test func yamlSyntaxErrorHasLineAndColumn() {
        #expect(errors("routes:\n  - id: a\n    uri: /a\n   bad: x\n") == [
            "r.yaml:4:4: YAML syntax error: did not find expected '-' indicator (while parsing a block collection at line 2, column 3)",
        ])
        #expect(errors("server: {listen: 1\n") == [
            "r.yaml:2:1: YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping at line 1, column 9)",
        ])
        #expect(errors("a: b: c\n") == ["r.yaml:1:5: YAML syntax error: mapping values are not allowed in this context"])
    }

    @Test func duplicateYAMLKey() {
        #expect(errors("server:\n  listen: :1\n  listen: :2\n") == ["r.yaml:2:3: duplicate key 'listen' in this mapping"])
    }

    @Test func topLevelMustBeAMapping() {
        #expect(errors("- a\n- b\n") == [
            "r.yaml:1:1: expected a mapping with keys server, admin, store, providers, pricing, model_groups, health, routes, virtual_keys at the top level, got a list",
        ])
    }

    @Test func everyUnknownKeyIsReportedAtItsKey() {
        #expect(errors("""
            rotues: []
            server:
              lisen: :80
              tls: {cert: c.pem, key: k.pem, ca: ca.pem}
            admin: {tokn: x}
            providers:
              openai: {apikey: x}
              anthropic:
                keys: [{value: k, wieght: 2}]
            virtual_keys:
              - {key: k, name: n, budget: {max_usd: 1, period: 1d, hard: true}, rate_limit: {rpm: 3}, extra: 1}
            pricing:
              openai/gpt-4o: {input: 1, output: 2, cached: 0.5}
            routes:
              - {id: a, uri: /a, name: x}
            x-anchors: {anything: goes}
            """) == [
            "r.yaml:1:1: unknown key 'rotues' in the top level (allowed: server, admin, store, providers, pricing, model_groups, health, routes, virtual_keys)",
            "r.yaml:3:3: unknown key 'lisen' in server (allowed: listen, max_body_bytes, drain_seconds, tls, client_header_timeout, client_body_timeout, keepalive_timeout, send_timeout, max_stream_line_bytes, max_buffered_answer_bytes, max_model_name_bytes)",
            "r.yaml:4:34: unknown key 'ca' in server.tls (allowed: cert, key)",
            "r.yaml:5:9: unknown key 'tokn' in admin (allowed: listen, token)",
            "r.yaml:7:12: unknown key 'apikey' in provider 'openai' (allowed: type, endpoint, api_key, keys, api_version, deployments, project, region, models)",
            "r.yaml:9:23: unknown key 'wieght' in provider key (allowed: value, weight, models)",
            "r.yaml:13:40: unknown key 'cached' in pricing of openai/gpt-4o (allowed: input, output)",
            "r.yaml:15:22: unknown key 'name' in route (allowed: id, uri, methods, host, plugins)",
        ])
    }

    @Test func serverValues() {
        #expect(errors("""
            server:
              listen: localhost
              max_body_bytes: 0
              drain_seconds: -1
              tls: {cert: c.pem}
            admin:
              listen: "[::1]"
            """) == [
            "r.yaml:2:11: invalid listen address 'localhost' (expected HOST:PORT, [IPV6]:PORT or :PORT)",
            "r.yaml:3:19: max_body_bytes must be greater than 0",
            "r.yaml:4:18: drain_seconds must not be negative",
            "r.yaml:5:8: missing required key 'key'",
            "r.yaml:7:11: invalid listen address '[::1]' (expected HOST:PORT, [IPV6]:PORT or :PORT)",
        ])
        #expect(errors("server: {max_body_bytes: 32MiB}\n") == ["r.yaml:1:26: expected an integer, got \"32MiB\""])
        #expect(errors("server: [a]\n") == ["r.yaml:1:9: expected a mapping for server, got a list"])
    }

    @Test func store() {
        #expect(errors("store: mysql://x\n") == [
            "r.yaml:1:8: invalid store 'mysql://x' (expected sqlite:PATH, postgres://USER:PASS@HOST:PORT/DB or memory)",
        ])
        #expect(errors("store: 'sqlite:'\n") == [
            "r.yaml:1:8: invalid store 'sqlite:' (expected sqlite:PATH, postgres://USER:PASS@HOST:PORT/DB or memory)",
        ])
        #expect(errors("store: postgress://u:secret@h/db\n") == [
            "r.yaml:1:8: invalid store 'postgress://u:***@h/db' (expected sqlite:PATH, postgres://USER:PASS@HOST:PORT/DB or memory)",
        ])
        #expect(errors("store: {path: x}\n") == ["r.yaml:1:8: expected a string, got a mapping"])
        // A PostgreSQL URL's options are checked by `tollgate check`, not first at start.
        #expect(errors("store: postgres://u:secret@h/db?sslmode=maybe\n") == [
            "r.yaml:1:8: store postgres://u:***@h/db?sslmode=maybe: unknown sslmode 'maybe' (disable, prefer, require, verify-full)",
        ])
        #expect(errors("store: postgres://u@h/db?pool_max=0\n") == [
            "r.yaml:1:8: store postgres://u@h/db?pool_max=0: pool_max must be a positive number of connections",
        ])
        #expect(errors("store: postgres://u@h/db?poolmax=4\n") == [
            "r.yaml:1:8: store postgres://u@h/db?poolmax=4: unknown option 'poolmax' (sslmode, pool_max)",
        ])
        #expect(errors("store: postgres://u@h/db?sslmode=require&pool_max=4\n").isEmpty)
    }

    @Test func providers() {
        #expect(errors("""
            providers:
              local-vllm:
                endpoint: http://10.0.0.5:8000/v1
              mine: {type: openai-compat}
              openai:
                endpoint: api.openai.com
                api_key: a
                keys: [b]
              anthropic:
                keys: [{weight: 2}, {value: v, weight: 0}]
              bad/name: {type: openai}
            """) == [
            "r.yaml:2:3: provider 'local-vllm' is not built in and needs a 'type' (one of: openai, anthropic, gemini, vertex, azure, ollama, openai-compatible, mistral, groq, deepseek, openrouter, xai, together, fireworks, cerebras, perplexity)",
            "r.yaml:4:16: unknown provider type 'openai-compat' (known: openai, anthropic, gemini, vertex, azure, ollama, openai-compatible, mistral, groq, deepseek, openrouter, xai, together, fireworks, cerebras, perplexity)",
            "r.yaml:6:15: endpoint must be an http:// or https:// URL, got 'api.openai.com'",
            "r.yaml:8:5: use either 'api_key' or 'keys', not both",
            "r.yaml:10:12: missing required key 'value'",
            "r.yaml:10:44: weight must be at least 1",
            "r.yaml:11:3: invalid provider name 'bad/name' (use letters, digits, '-', '_' and '.')",
        ])
        #expect(errors("providers: [openai]\n") == ["r.yaml:1:12: expected a mapping for providers, got a list"])
        #expect(errors("providers:\n  azure: {deployments: [a]}\n") == ["r.yaml:2:24: expected a mapping for deployments, got a list"])
    }

    @Test func pricing() {
        #expect(errors("""
            pricing:
              gpt-4o: {input: 1, output: 2}
              openai/gpt-4o: {input: cheap, output: 2}
              openai/x: {input: 1}
              openai/y: {input: -1, output: 1}
            """) == [
            "r.yaml:2:3: pricing key 'gpt-4o' must be provider/model, e.g. openai/gpt-4o-mini",
            "r.yaml:3:26: expected a number, got \"cheap\"",
            "r.yaml:4:13: missing required key 'output'",
            "r.yaml:5:13: prices must not be negative",
        ])
    }

    @Test func routes() {
        #expect(errors("""
            routes:
              - {uri: /a}
              - {id: b}
              - {id: c, uri: v1/chat}
              - {id: d, uri: /a/*/b}
              - {id: e, uri: "/a?x=1"}
              - {id: f, uri: /f, methods: [POST, PSOT]}
              - {id: g, uri: /g, methods: []}
              - {id: h, uri: /h}
              - {id: h, uri: /h2}
              - {id: i, uri: /i, plugins: {ai-proxy: {}}}
              - id: j
                uri: /j
                plugins:
                  - ai-proxy
                  - {a: 1, b: 2}
                  - governance: {}
                  - governance: {}
              - "just a string"
            """) == [
            "r.yaml:2:5: missing required key 'id'",
            "r.yaml:3:5: missing required key 'uri'",
            "r.yaml:4:18: uri must start with '/', got 'v1/chat'",
            "r.yaml:5:18: '*' is only allowed as a trailing '/*' (prefix match), got '/a/*/b'",
            "r.yaml:6:18: uri must be a path without a query or fragment, got '/a?x=1'",
            "r.yaml:7:31: unknown HTTP method 'PSOT' (allowed: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, CONNECT, TRACE, PURGE)",
            "r.yaml:8:31: methods must not be empty (leave it out to allow every method)",
            "r.yaml:10:10: duplicate route id 'h' (first defined at line 9)",
            "r.yaml:11:31: expected a list for plugins, got a mapping",
            "r.yaml:15:9: each plugins item must be a mapping with one key, the plugin name (e.g. '- ai-proxy: {provider: openai}'), got \"ai-proxy\"",
            "r.yaml:16:9: each plugins item must be a mapping with one key, the plugin name (e.g. '- ai-proxy: {provider: openai}'), got a mapping with 2 keys",
            "r.yaml:18:9: plugin 'governance' appears twice in route 'j' (first at line 17)",
            "r.yaml:19:5: expected a mapping for route, got \"just a string\"",
        ])
        #expect(errors("routes: {id: a}\n") == ["r.yaml:1:9: expected a list for routes, got a mapping"])
    }

    @Test func errorsComeInFileOrder() {
        // Sections are checked in a fixed order; the report is sorted by position.
        let lines = errors("routes: [{id: a}]\nserver: {listen: x}\n")
        #expect(lines == [
            "r.yaml:1:10: missing required key 'uri'",
            "r.yaml:2:18: invalid listen address 'x' (expected HOST:PORT, [IPV6]:PORT or :PORT)",
        ])
    }

    @Test func missingFile() {
        #expect(throws: ConfigErrors([ConfigError("config file not found", at: .file("/nonexistent/routes.yaml"))])) {
            try ConfigLoader.load(file: "/nonexistent/routes.yaml", environment: [:])
        }
        #expect(ConfigError("config file not found", at: .file("x.yaml")).description == "x.yaml: config file not found")
    }

    @Test func errorsDescriptionIsOnePerLine() {
        let e = ConfigErrors([
            ConfigError("one", at: SourceMark(file: "f", line: 1, column: 2)),
            ConfigError("two", at: SourceMark(file: "f", line: 3, column: 4)),
        ])
        #expect(e.description == "f:1:2: one\nf:3:4: two")
    }
}

/// Values that end up in headers or upstream URLs are checked at load: the request path
/// writes headers without NIO's outbound validation.
@Suite struct HeaderSafetyTests {
    @Test func keysWithControlCharactersAreRefusedAtTheirLine() {
        #expect(errors("""
            providers:
              openai: {api_key: "sk-a\\r\\nx-evil: 1"}
              anthropic:
                keys: ["ok", {value: "sk-b\\n", weight: 2}]
              azure: {type: azure, endpoint: "https://a.example", deployments: {gpt: "dep loy"}, api_version: "2024?x"}
            routes: []
            """) == [
            "r.yaml:2:21: contains a control character (a stray newline?); it is sent in an HTTP header",
            "r.yaml:4:26: contains a control character (a stray newline?); it is sent in an HTTP header",
            "r.yaml:5:74: must not contain spaces, control characters, '?' or '#'; it is part of the upstream URL",
            "r.yaml:5:99: must not contain spaces, control characters, '?' or '#'; it is part of the upstream URL",
        ])
    }

    @Test func valuesAndTokens() {
        #expect(HeaderSafety.isSafeValue("Bearer sk-abc\tdef"))
        #expect(!HeaderSafety.isSafeValue("sk\r\nx: y"))
        #expect(!HeaderSafety.isSafeValue("sk\u{0}"))
        #expect(HeaderSafety.isSafeToken("claude-3-5-sonnet@20240620"))
        #expect(HeaderSafety.isSafeToken("meta-llama/Llama-3.1-8B:free"))
        #expect(!HeaderSafety.isSafeToken("gpt 4o"))
        #expect(!HeaderSafety.isSafeToken("gpt?alt=sse"))
        #expect(!HeaderSafety.isSafeToken("gpt#x"))
        #expect(!HeaderSafety.isSafeToken("gpt\n"))
    }
}
