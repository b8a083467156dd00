import Testing

@testable import TollgateConfig

/// `model_groups:` and `health:` (docs/routing.md): what loads, and each mistake at its place.
@Suite struct RoutingConfigTests {
    @Test func groupsAndHealthLoad() throws {
        let c = try load("""
            model_groups:
              gpt-4o:
                strategy: least-busy
                targets:
                  - {model: openai/gpt-4o, weight: 3}
                  - anthropic/claude-sonnet-4-5
                fallbacks: [gemini/gemini-2.5-flash]
            health: {failures_to_cooldown: 2, cooldown_seconds: 5, retries: 1}
            """)
        #expect(c.routing.groups.count == 1)
        let g = c.routing.groups[0]
        #expect(g.name == "gpt-4o")
        #expect(g.strategy == .leastBusy)
        #expect(g.targets == [.init(provider: "openai", model: "gpt-4o", weight: 3), .init(provider: "anthropic", model: "claude-sonnet-4-5")])
        #expect(g.fallbacks == [.init(provider: "gemini", model: "gemini-2.5-flash")])
        #expect(c.routing.health == HealthConfig(failuresToCooldown: 2, cooldownSeconds: 5, retries: 1))
    }

    @Test func absentSectionsMeanDefaults() throws {
        let c = try load("routes: []\n")
        #expect(c.routing.groups.isEmpty)
        #expect(c.routing.health == HealthConfig())
    }

    @Test func mistakesAreReportedAtTheirPlace() {
        let lines = errors("""
            model_groups:
              openai/x:
                targets: [openai/gpt-4o]
              g:
                strategy: fastest
                targets:
                  - {model: nosuch/m}
                  - {model: openai/gpt-4o, weight: 0}
                  - gpt-4o
              empty: {}
            health: {retries: -1, cooldown_seconds: -2}
            """)
        // Reported in file order; compared as a set here, each with its own line and column.
        #expect(lines.count == 8, "\(lines)")
        #expect(Set(lines) == [
            "r.yaml:2:3: model group 'openai/x' shadows provider 'openai' (a model 'openai/…' means that provider); choose another name",
            "r.yaml:5:15: unknown strategy 'fastest' (allowed: weighted, least-busy, lowest-latency)",
            "r.yaml:7:17: unknown provider 'nosuch' in 'nosuch/m' (known: \(ProviderConfig.builtInNames.sorted().joined(separator: ", ")))",
            "r.yaml:8:40: weight must be at least 1",
            "r.yaml:9:9: a target is 'provider/model', got 'gpt-4o'",
            "r.yaml:10:3: model group 'empty' needs targets",
            "r.yaml:11:41: cooldown_seconds must not be negative",
            "r.yaml:11:19: retries must not be negative",
        ])
    }

    @Test func aConfiguredProviderMayBeATarget() throws {
        let c = try load("""
            providers:
              local: {type: openai-compatible, endpoint: "http://127.0.0.1:1"}
            model_groups:
              small: {targets: [local/qwen]}
            """)
        #expect(c.routing.groups.first?.targets.first?.provider == "local")
    }
}
