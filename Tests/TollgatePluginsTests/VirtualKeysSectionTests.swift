import Testing
import TollgateConfig
@testable import TollgatePlugins

/// governance's own section of routes.yaml, `virtual_keys:`, decoded by the loader in the same
/// pass as the core's sections (so every error comes at once, in file order).
@Suite struct VirtualKeysSectionTests {
    private func load(_ yaml: String, env: [String: String] = [:]) throws(ConfigErrors) -> GatewayConfig {
        try ConfigLoader.parse(yaml: yaml, file: "r.yaml", baseDirectory: "/etc/tg", environment: env, sections: PluginRegistry.sections)
    }

    private func errors(_ yaml: String) -> [String] {
        do {
            _ = try load(yaml)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    private func keys(_ c: GatewayConfig) -> [VirtualKeyConfig] { c.section(VirtualKeysSection.self)?.keys ?? [] }

    @Test func absentSectionIsEmpty() throws {
        #expect(keys(try load("routes: []\n")).isEmpty)
    }

    @Test func entriesFromTheSpec() throws {
        let c = try load("""
            virtual_keys:
              - key: ${VK_TEAM_A}
                name: team-a
                models: ["openai/*", "anthropic/claude-3-5-*"]
                budget: {max_usd: 25, period: 30d}
                rate_limit: {requests_per_minute: 60, tokens_per_minute: 200000}
              - {key: vk-b, name: team-b, budget: {max_usd: 2.5, period: 1M}}
            routes: []
            """, env: ["VK_TEAM_A": "vk-a"])
        let k = keys(c)
        #expect(k.count == 2)
        let a = k[0]
        #expect(a.key == "vk-a" && a.name == "team-a")
        #expect(a.models == ["openai/*", "anthropic/claude-3-5-*"])
        #expect(a.budget == Budget(maxUSD: 25, period: "30d"))
        #expect(a.budget?.periodSeconds == 30 * 86400)
        #expect(a.rateLimit == RateLimit(requestsPerMinute: 60, tokensPerMinute: 200_000))
        let b = k[1]
        #expect(b.models == nil && b.rateLimit == nil)
        #expect(b.budget?.period == "1M" && b.budget?.periodSeconds == 2_592_000 && b.budget?.isCalendarMonths == true)
        // Secrets go to the redactor of upstream errors.
        #expect(c.section(VirtualKeysSection.self)?.secrets == ["vk-a", "vk-b"])
    }

    @Test func budgetPeriods() {
        #expect(Budget.seconds(ofPeriod: "1m") == 60)
        #expect(Budget.seconds(ofPeriod: "1h") == 3600)
        #expect(Budget.seconds(ofPeriod: "1d") == 86400)
        #expect(Budget.seconds(ofPeriod: "7d") == 604_800)
        #expect(Budget.seconds(ofPeriod: "30d") == 2_592_000)
        #expect(Budget.seconds(ofPeriod: "1M") == 2_592_000)
        #expect(Budget.seconds(ofPeriod: "0d") == nil)
        #expect(Budget.seconds(ofPeriod: "d") == nil)
        #expect(Budget.seconds(ofPeriod: "1.5h") == nil)
        #expect(Budget.seconds(ofPeriod: "1y") == nil)
        #expect(Budget.seconds(ofPeriod: "-1d") == nil)
    }

    /// Unknown keys inside the section come in the same pass as the core's, in file order.
    @Test func unknownKeysAreReportedWithTheCoresAtTheirKeys() {
        #expect(errors("""
            rotues: []
            virtual_keys:
              - {key: k, name: n, budget: {max_usd: 1, period: 1d, hard: true}, rate_limit: {rpm: 3}, extra: 1}
            pricing:
              openai/gpt-4o: {input: 1, output: 2, cached: 0.5}
            """) == [
            "r.yaml:1:1: unknown key 'rotues' in the top level (allowed: server, admin, store, providers, pricing, model_groups, health, routes, virtual_keys)",
            "r.yaml:3:56: unknown key 'hard' in budget (allowed: max_usd, period)",
            "r.yaml:3:82: unknown key 'rpm' in rate_limit (allowed: requests_per_minute, tokens_per_minute)",
            "r.yaml:3:91: unknown key 'extra' in virtual key (allowed: key, name, models, budget, rate_limit)",
            "r.yaml:5:40: unknown key 'cached' in pricing of openai/gpt-4o (allowed: input, output)",
        ])
    }

    @Test func virtualKeys() {
        #expect(errors("""
            virtual_keys:
              - {name: no-key}
              - {key: k0}
              - {key: k1, name: team-a}
              - {key: k2, name: team-a}
              - {key: k1, name: team-b}
              - {key: "", name: team-c}
              - {key: k3, name: team-d, budget: {max_usd: 5, period: 2w}}
              - {key: k4, name: team-e, budget: {period: 1d}}
              - {key: k5, name: team-f, budget: {max_usd: -1, period: 1d}}
              - {key: k6, name: team-g, rate_limit: {requests_per_minute: 0}}
              - {key: k7, name: team-h, models: {a: b}}
            """) == [
            "r.yaml:2:5: missing required key 'key'",
            "r.yaml:3:5: missing required key 'name'",
            "r.yaml:5:21: duplicate virtual key name 'team-a' (first defined at line 4)",
            "r.yaml:6:11: virtual key 'team-b' has the same key as 'team-a'",
            "r.yaml:7:11: virtual key 'team-c' has an empty key (is its environment variable set?)",
            "r.yaml:8:58: invalid budget period '2w' (a number and a unit: m, h, d or M, e.g. 1h, 1d, 7d, 30d, 1M)",
            "r.yaml:9:37: missing required key 'max_usd'",
            "r.yaml:10:47: max_usd must not be negative",
            "r.yaml:11:63: requests_per_minute must be at least 1 (leave it out for no limit)",
            "r.yaml:12:37: expected a list of strings, got a mapping",
        ])
        #expect(errors("virtual_keys: {key: k}\n") == ["r.yaml:1:15: expected a list for virtual_keys, got a mapping"])
    }
}
