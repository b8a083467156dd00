import Testing

@testable import TollgateConfig

@Suite struct EnvInterpolationTests {
    let env = EnvInterpolation(environment: ["A": "alpha", "B": "beta", "EMPTY": "", "PORT": "9000"])

    func expand(_ text: String) -> String? {
        if case .success(let r) = env.interpolate(text) { return r.text }
        return nil
    }

    @Test func substitutesSeveralReferencesWithTextAround() {
        #expect(expand("${A}") == "alpha")
        #expect(expand("x-${A}-${B}-y") == "x-alpha-beta-y")
        #expect(expand("no refs") == "no refs")
        #expect(expand("") == "")
    }

    @Test func defaults() {
        #expect(expand("${MISSING:-fallback}") == "fallback")
        #expect(expand("${EMPTY:-fallback}") == "fallback")
        #expect(expand("${A:-fallback}") == "alpha")
        #expect(expand("${MISSING:-}") == "")
        #expect(expand("http://${HOST:-localhost}:${PORT:-80}/v1") == "http://localhost:9000/v1")
        #expect(expand("${MISSING:-a:b-c}") == "a:b-c")
    }

    @Test func unsetIsEmptyAndReported() {
        guard case .success(let r) = env.interpolate("${X}${Y}${X}") else {
            Issue.record("expected success")
            return
        }
        #expect(r.text == "")
        #expect(r.unset == ["X", "Y"])
        // Set but empty is not "unset": no warning.
        guard case .success(let e) = env.interpolate("${EMPTY}") else { return }
        #expect(e.unset.isEmpty)
    }

    @Test func requiredVariables() {
        #expect(expand("${A:?need A}") == "alpha")
        #expect(env.interpolate("${MISSING:?set MISSING please}").failure == .required(variable: "MISSING", message: "set MISSING please"))
        #expect(env.interpolate("${EMPTY:?set it}").failure == .required(variable: "EMPTY", message: "set it"))
        #expect(env.interpolate("${MISSING:?}").failure == .required(variable: "MISSING", message: "required variable is not set"))
    }

    @Test func escapesAndStrayDollars() {
        #expect(expand("$${A}") == "${A}")
        #expect(expand("cost $5 and $$") == "cost $5 and $$")
        #expect(expand("$A") == "$A")
        #expect(expand("pa$$w0rd-${A}") == "pa$$w0rd-alpha")
    }

    @Test func malformedReferences() {
        #expect(env.interpolate("${A").failure == .malformed("unterminated '${' in \"${A\" (write '$${' for a literal '${')"))
        #expect(env.interpolate("${1A}").failure == .malformed("invalid variable reference '${1A}' (expected ${NAME}, ${NAME:-default} or ${NAME:?message})"))
        #expect(env.interpolate("${}").failure == .malformed("invalid variable reference '${}' (expected ${NAME}, ${NAME:-default} or ${NAME:?message})"))
        #expect(env.interpolate("${A:+x}").failure == .malformed("invalid variable reference '${A:+x}' (expected ${NAME}, ${NAME:-default} or ${NAME:?message})"))
    }

    // MARK: In a whole file

    @Test func interpolatedScalarsKeepTheirTyping() throws {
        let c = try load("server:\n  listen: ${LISTEN:-:8081}\n  max_body_bytes: ${MAX:-1024}\n  drain_seconds: \"${DRAIN}\"\n", env: ["DRAIN": "5"])
        #expect(c.server.listen == HostPort(host: "0.0.0.0", port: 8081))
        #expect(c.server.maxBodyBytes == 1024)
        #expect(c.server.drainSeconds == 5)
    }

    @Test func unsetVariableWarnsOncePerVariable() throws {
        let c = try load("""
            admin:
              token: ${TOKEN}
            providers:
              openai: {api_key: ${TOKEN}}
              anthropic: {api_key: ${OTHER}}
            routes: [{id: a, uri: /a}]
            """)
        #expect(c.warnings.map(\.description) == [
            "r.yaml:2:10: warning: environment variable TOKEN is not set; using an empty string",
            "r.yaml:5:24: warning: environment variable OTHER is not set; using an empty string",
        ])
        #expect(c.admin.token == nil)
        #expect(c.providers.map(\.keys.count) == [0, 0])
    }

    @Test func requiredVariableErrorsAreAllReportedAtTheirScalars() {
        #expect(errors("""
            admin:
              token: ${TOKEN:?set TOKEN to the admin secret}
            virtual_keys:
              - {key: "${VK:?}", name: team}
            routes: []
            """) == [
            "r.yaml:2:10: TOKEN: set TOKEN to the admin secret",
            "r.yaml:4:11: VK: required variable is not set",
        ])
    }

    @Test func malformedReferenceInAFile() {
        #expect(errors("store: sqlite:${DIR/x.db\n") == [
            "r.yaml:1:8: unterminated '${' in \"sqlite:${DIR/x.db\" (write '$${' for a literal '${')",
        ])
    }

    @Test func referencesWorkUnquotedInFlowCollections() throws {
        let c = try load("""
            providers:
              anthropic:
                keys:
                  - {value: ${KEY_A}, weight: 3}
                  - {value: ${KEY_B:-b, c}, weight: 1, models: ["claude-3-5-*"]}
            routes: [{id: a, uri: /a, plugins: [{ai-proxy: {api_key: ${KEY_A}}}]}]
            """, env: ["KEY_A": "ka"])
        let keys = c.providers[0].keys
        #expect(keys == [ProviderKey(value: "ka", weight: 3), ProviderKey(value: "b, c", weight: 1, models: ["claude-3-5-*"])])
        #expect(try c.routes[0].plugins[0].config.json() == ["api_key": "ka"])
        // Marks are unchanged by the shielding.
        #expect(c.routes[0].plugins[0].mark == SourceMark(file: "r.yaml", line: 6, column: 38))
    }

    @Test func keysAreNotInterpolated() throws {
        let c = try load("pricing:\n  \"${P}/m\": {input: 1, output: 2}\n", env: ["P": "openai"])
        #expect(c.pricing["${P}/m"] == Price(inputPerMillion: 1, outputPerMillion: 2))
    }

    @Test func escapedReferenceStaysLiteral() throws {
        let c = try load("routes: [{id: a, uri: /a, plugins: [{x: {tpl: \"$${NAME}\"}}]}]\n")
        #expect(try c.routes[0].plugins[0].config.json() == ["tpl": "${NAME}"])
    }
}

extension Result {
    var failure: Failure? { if case .failure(let f) = self { return f }; return nil }
}
