import Foundation
import Testing
import TollgateCore
@testable import TollgatePlugins

/// The governance access phase's cost per request, in process (no sockets): a 1 000-key index,
/// the key in `Authorization: Bearer`, a model pattern, a budget and both rate limits.
/// Run with `TOLLGATE_BENCH=1 swift test -c release --filter GovernanceBench`; it prints
/// nanoseconds per request, and the same loop without the plugin for the baseline (building
/// the request context is most of that).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["TOLLGATE_BENCH"] != nil))
struct GovernanceBench {
    @Test func accessPhaseCost() throws {
        var keys = ""
        for i in 0..<1000 {
            keys += "  - {key: vk-bench-\(i)-0123456789abcdef, name: k\(i), models: [\"openai/*\"], "
                + "budget: {max_usd: 1000000, period: 30d}, rate_limit: {requests_per_minute: 100000000, tokens_per_minute: 100000000}}\n"
        }
        let gw = try TestGateway("""
            store: memory
            virtual_keys:
            \(keys)
            routes:
              - id: chat
                uri: /v1/chat/completions
                plugins:
                  - governance: {}
                  - ai-proxy: {surface: openai-chat, api_key: sk-up}
            """)
        let plugin = try gw.plugin(GovernancePlugin.self)
        let headers = [("authorization", "Bearer vk-bench-777-0123456789abcdef"), ("content-type", "application/json")]
        let n = 200_000
        // Baseline: the context alone (and its one JSON parse, which ai-proxy would do anyway).
        let base = ContinuousClock().measure {
            for _ in 0..<n {
                let ctx = try? gw.request(headers: headers)
                _ = try? ctx?.resolveTarget()
            }
        }
        var admitted = 0
        let with = ContinuousClock().measure {
            for _ in 0..<n {
                guard let ctx = try? gw.request(headers: headers) else { continue }
                if plugin.access(ctx).isNext { admitted += 1 }
            }
        }
        #expect(admitted == n)
        let ns = { (d: Duration) in Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9 }
        let perBase = ns(base) / Double(n), perWith = ns(with) / Double(n)
        print("governance access: \(Int(perWith)) ns/request with the plugin, \(Int(perBase)) ns without; added \(Int(perWith - perBase)) ns")
    }
}
