import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
import TollgateConfig
import TollgateCore
import TollgateProtocols
import TollgateStore
@testable import TollgatePlugins

let governanceYAML = """
    store: memory
    virtual_keys:
      - {key: vk-open, name: open}
      - {key: vk-models, name: models, models: ["openai/gpt-4o-mini", "anthropic/claude-3-5-*"]}
      - {key: vk-rpm, name: rpm, rate_limit: {requests_per_minute: 3}}
      - {key: vk-tpm, name: tpm, rate_limit: {tokens_per_minute: 100}}
      - {key: vk-budget, name: budget, budget: {max_usd: 0.0001, period: 1d}}
    routes:
      - id: chat
        uri: /v1/chat/completions
        plugins:
          - governance: {}
          - ai-proxy: {surface: openai-chat, api_key: sk-up}
      - id: open
        uri: /open/chat/completions
        plugins:
          - governance: {required: false}
          - ai-proxy: {surface: openai-chat, api_key: sk-up}
    """

/// A governance plugin over `governanceYAML` with a hand-moved clock.
struct GovernanceFixture {
    let gw: TestGateway
    let clock = TestClock()
    let plugin: GovernancePlugin
    let open: GovernancePlugin

    init(_ yaml: String = governanceYAML) throws {
        gw = try TestGateway(yaml)
        let built = try gw.plugin(GovernancePlugin.self)
        let c = clock
        plugin = GovernancePlugin(config: built.config, keys: built.keys, ledger: built.ledger, now: { c.now })
        var openConfig = built.config
        openConfig.required = false
        open = GovernancePlugin(config: openConfig, keys: built.keys, ledger: built.ledger, now: { c.now })
    }

    func access(_ headers: [(String, String)], model: String = "gpt-4o-mini", path: String = "/v1/chat/completions", required: Bool = true)
        throws -> (PhaseResult, RequestContext)
    {
        let ctx = try gw.request(path, headers: headers, body: #"{"model":"\#(model)","messages":[]}"#)
        return ((required ? plugin : open).access(ctx), ctx)
    }

    /// One request through access and, when admitted, log with `tokens` used and `cost`.
    @discardableResult
    func call(_ key: String, tokens: Int = 0, cost: Double? = nil) throws -> PhaseResult {
        let (r, ctx) = try access([("x-bf-vk", key)])
        if r.isNext {
            ctx.usage = Usage(inputTokens: tokens / 2, outputTokens: tokens - tokens / 2)
            ctx.costUSD = cost
            plugin.log(ctx)
        }
        return r
    }
}

@Suite struct GovernanceAccessTests {
    /// The client's own key that would reach an OpenAI target (ai-proxy reads it; governance
    /// only finds the virtual key).
    private func direct(_ ctx: RequestContext) -> String? {
        ctx.runtime.providers["openai"].flatMap { DirectKey.find(ctx, nativeTo: $0) }
    }

    @Test(arguments: [
        ("x-bf-vk", "vk-open"), ("authorization", "Bearer vk-open"), ("Authorization", "bearer  vk-open"),
        ("x-api-key", "vk-open"), ("x-goog-api-key", "vk-open"), ("api-key", "vk-open"),
    ])
    func findsTheKeyInEachHeader(_ header: String, _ value: String) throws {
        let f = try GovernanceFixture()
        let (r, ctx) = try f.access([(header, value)])
        #expect(r.isNext)
        #expect(ctx.virtualKeyName == "open")
        #expect(direct(ctx) == nil)
    }

    @Test func noKeyIs401WhenRequired() throws {
        let f = try GovernanceFixture()
        let e = try #require(try f.access([]).0.error)
        #expect(e.status == 401 && e.kind == .authentication)
        #expect(e.message.contains("x-bf-vk"))
    }

    @Test func unknownKeyIs401AndNeverEchoed() throws {
        let f = try GovernanceFixture()
        for headers in [[("x-bf-vk", "vk-nope")], [("authorization", "Bearer vk-nope")], [("x-api-key", "vk-nope")]] {
            let e = try #require(try f.access(headers).0.error)
            #expect(e.status == 401 && e.kind == .authentication)
            #expect(!e.message.contains("vk-nope"))
        }
        // A wrong x-bf-vk is refused even when the route does not require keys.
        #expect(try f.access([("x-bf-vk", "vk-nope")], required: false).0.error?.status == 401)
    }

    @Test func notRequiredPassesAndKeepsADirectKey() throws {
        let f = try GovernanceFixture()
        let (r, ctx) = try f.access([], required: false)
        #expect(r.isNext && ctx.virtualKeyName == nil && direct(ctx) == nil)
        let (r2, ctx2) = try f.access([("authorization", "Bearer sk-mine")], required: false)
        #expect(r2.isNext && ctx2.virtualKeyName == nil)
        #expect(direct(ctx2) == "sk-mine")
    }

    @Test func virtualKeyPlusProviderKey() throws {
        let f = try GovernanceFixture()
        let (r, ctx) = try f.access([("x-bf-vk", "vk-open"), ("x-api-key", "sk-ant-mine")])
        #expect(r.isNext && ctx.virtualKeyName == "open" && direct(ctx) == "sk-ant-mine")
        // The same virtual key in two headers is not a direct key.
        let (_, ctx2) = try f.access([("x-bf-vk", "vk-open"), ("authorization", "Bearer vk-open")])
        #expect(direct(ctx2) == nil)
    }

    @Test func modelOutsideTheListIs403() throws {
        let f = try GovernanceFixture()
        #expect(try f.access([("x-bf-vk", "vk-models")]).0.isNext)
        #expect(try f.access([("x-bf-vk", "vk-models")], model: "anthropic/claude-3-5-haiku-latest").0.isNext)
        let e = try #require(try f.access([("x-bf-vk", "vk-models")], model: "gpt-4o").0.error)
        #expect(e.status == 403 && e.kind == .permission)
        #expect(e.message.contains("openai/gpt-4o") && e.message.contains("'models'"))
        let bad = try #require(try f.access([("x-bf-vk", "vk-models")], model: "nope/x").0.error)
        #expect(bad.status == 400)
    }

    @Test func fourthRequestOfThreePerMinuteIs429() throws {
        let f = try GovernanceFixture()
        for _ in 0..<3 { #expect(try f.call("vk-rpm").isNext) }
        let e = try #require(try f.call("vk-rpm").error)
        #expect(e.status == 429 && e.kind == .rateLimit && e.retryAfter == 20)
        f.clock.advance(19)
        #expect(try f.call("vk-rpm").error?.retryAfter == 1)
        f.clock.advance(1)
        #expect(try f.call("vk-rpm").isNext)
        #expect(try f.call("vk-rpm").error != nil)
        // Other keys are not affected.
        #expect(try f.call("vk-open").isNext)
    }

    @Test func tokensPerMinuteCountAfterTheFact() throws {
        let f = try GovernanceFixture()
        #expect(try f.call("vk-tpm", tokens: 60).isNext)
        // 60 of 100 used: still room, so this one passes and crosses the limit.
        #expect(try f.call("vk-tpm", tokens: 90).isNext)
        let e = try #require(try f.call("vk-tpm").error)
        #expect(e.status == 429 && e.message.contains("100 tokens per minute"))
        // 150 tokens at 100/min: the bucket is 90 s ahead, full until 30 s have leaked, and
        // this request reserves its own worst case on top: its 37-byte body, 10 tokens, 6 s
        // (no max_tokens).
        #expect(e.retryAfter == 36)
        f.clock.advance(35.5)
        #expect(try f.call("vk-tpm").error != nil)
        f.clock.advance(0.6)
        #expect(try f.call("vk-tpm").isNext)
    }

    @Test func tokenLimitsReserveTheWorstCaseSoConcurrentRequestsCannotOvershoot() throws {
        let f = try GovernanceFixture()
        // 100 tokens a minute; each request may use 14 (its 53-byte body) + 15 (max_tokens).
        func open() throws -> (PhaseResult, RequestContext) {
            let ctx = try f.gw.request("/v1/chat/completions", headers: [("x-bf-vk", "vk-tpm")],
                                       body: #"{"model":"gpt-4o-mini","messages":[],"max_tokens":15}"#)
            return (f.plugin.access(ctx), ctx)
        }
        let held = try (0..<3).map { _ in try open() }
        #expect(held.allSatisfy { $0.0.isNext })
        let (fourth, _) = try open()
        #expect(fourth.error?.status == 429)  // 3 × 29 held; a fourth 29 does not fit in 100
        // The first settles with 5 tokens used: 24 come back, enough for one more.
        held[0].1.usage = Usage(inputTokens: 2, outputTokens: 3)
        f.plugin.log(held[0].1)
        #expect(try open().0.isNext)
    }

    @Test func budgetsReserveTheWorstCaseAndSettleToTheRealCost() throws {
        let yaml = governanceYAML.replacingOccurrences(of: "virtual_keys:\n", with: """
            pricing:
              openai/gpt-4o-mini: {input: 1000, output: 1000}
            virtual_keys:
              - {key: vk-tight, name: tight, budget: {max_usd: 0.1, period: 1d}}

            """)
        let f = try GovernanceFixture(yaml)
        f.clock.set(1_800_000_000 + 3600)
        // $0.001 a token: 14 input (53 bytes) + 20 output = $0.034 worst case; two fit in $0.10,
        // not three.
        func open() throws -> (PhaseResult, RequestContext) {
            let ctx = try f.gw.request("/v1/chat/completions", headers: [("x-bf-vk", "vk-tight")],
                                       body: #"{"model":"gpt-4o-mini","messages":[],"max_tokens":20}"#)
            return (f.plugin.access(ctx), ctx)
        }
        let a = try open(), b = try open()
        #expect(a.0.isNext && b.0.isNext)
        let refused = try #require(try open().0.error)
        #expect(refused.status == 429 && refused.message.contains("in flight") && refused.retryAfter == 1)
        // a used 5 tokens ($0.005): its reservation goes, its cost stays.
        a.1.usage = Usage(inputTokens: 2, outputTokens: 3)
        a.1.costUSD = 0.005
        f.plugin.log(a.1)
        #expect(try open().0.isNext)  // 0.005 + 0.034 held + 0.034 ≤ 0.1
        let again = try #require(try open().0.error)
        #expect(again.retryAfter == 1)  // in-flight requests hold it, not spend
    }

    @Test func budgetIsEnforcedAfterTheSpendThatCrossesIt() throws {
        let f = try GovernanceFixture()
        f.clock.set(1_800_000_000 + 3600)  // 01:00 UTC on the window's day
        #expect(try f.call("vk-budget", tokens: 10, cost: 0.00006).isNext)
        #expect(try f.call("vk-budget", tokens: 10, cost: 0.00006).isNext)
        let e = try #require(try f.call("vk-budget").error)
        #expect(e.status == 429 && e.code == "budget_exceeded")
        let windowEnd = BudgetWindow(budget: Budget(maxUSD: 1, period: "1d"), now: Int64(f.clock.now)).end
        #expect(e.retryAfter == Int(windowEnd) - Int(f.clock.now))
        f.clock.set(Double(windowEnd))
        #expect(try f.call("vk-budget").isNext)
    }

    @Test func refusedRequestsAreNotCounted() throws {
        let f = try GovernanceFixture()
        for _ in 0..<5 { _ = try f.call("vk-rpm") }
        let cell = try #require(f.plugin.keys.byName["rpm"]).cell
        #expect(cell.usage.withLockedValue { $0.counters[KeyUsage.total]?.requests } == 3)
    }

    @Test func costHeaderOnWholeAnswers() throws {
        let f = try GovernanceFixture()
        let (r, ctx) = try f.access([("x-bf-vk", "vk-open")])
        #expect(r.isNext)
        ctx.target = ResolvedTarget(provider: "openai", model: "gpt-4o-mini")
        ctx.usage = Usage(inputTokens: 1_000_000, outputTokens: 1_000_000)
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        f.plugin.responseHead(ctx, &head)
        #expect(head.headers.first(name: "x-tollgate-cost-usd") == "0.75000000")
        ctx.isStream = true
        var streamed = HTTPResponseHead(version: .http1_1, status: .ok)
        f.plugin.responseHead(ctx, &streamed)
        #expect(streamed.headers.first(name: "x-tollgate-cost-usd") == nil)
    }

    @Test func configIsValidated() throws {
        #expect(throws: ConfigErrors.self) {
            _ = try TestGateway(governanceYAML.replacingOccurrences(of: "governance: {}", with: "governance: {require: true}"))
        }
        let off = try TestGateway(governanceYAML.replacingOccurrences(of: "governance: {}", with: "governance: {required: false}"))
        #expect(try off.plugin(GovernancePlugin.self).config.required == false)
        #expect(try TestGateway(governanceYAML).plugin(GovernancePlugin.self).config.required)
    }
}

@Suite struct GovernanceLedgerTests {
    @Test func countersSurviveAReload() throws {
        let f = try GovernanceFixture()
        for _ in 0..<3 { _ = try f.call("vk-rpm") }
        // A reload builds new plugins against the same services: same ledger, same cells.
        let reloaded = try TestGateway(governanceYAML, services: f.gw.services)
        let again = try reloaded.plugin(GovernancePlugin.self)
        #expect(again.ledger === f.plugin.ledger)
        #expect(again.keys.byName["rpm"]?.cell === f.plugin.keys.byName["rpm"]?.cell)
    }

    @Test func keyAddedByReloadWorksAtOnce() throws {
        let f = try GovernanceFixture()
        let yaml = governanceYAML.replacingOccurrences(of: "virtual_keys:\n", with: "virtual_keys:\n  - {key: vk-new, name: new}\n")
        let reloaded = try TestGateway(yaml, services: f.gw.services)
        let ctx = try reloaded.request(headers: [("x-bf-vk", "vk-new")])
        #expect(try reloaded.plugin(GovernancePlugin.self).access(ctx).isNext)
        #expect(ctx.virtualKeyName == "new")
    }

    @Test func countersSurviveARestartThroughTheStore() async throws {
        let store = MemoryStore()
        let loop = MultiThreadedEventLoopGroupSingleton.loop
        let policy = KeyPolicy(budget: Budget(maxUSD: 0.001, period: "30d"), rateLimit: nil)
        let now = 1_800_000_000.0

        let first = UsageLedger(store: store, eventLoop: loop, logger: .init(label: "t"))
        first.start(flushInterval: .seconds(3600))
        try await first.ready.get()
        first.cell("team").usage.withLockedValue {
            #expect($0.admit(policy, now: now) == .allowed)
            $0.record(inputTokens: 100, outputTokens: 50, costUSD: 0.002, policy, now: now)
        }
        await first.stop()  // the shutdown flush
        let rows = await store.loadCounters()
        #expect(rows.count == 2)
        #expect(rows.contains { $0.window == "total" && $0.inputTokens == 100 && $0.outputTokens == 50 && $0.requests == 1 })

        let second = UsageLedger(store: store, eventLoop: loop, logger: .init(label: "t"))
        let cell = second.cell("team")
        #expect(cell.usage.withLockedValue { $0.admit(policy, now: now + 1) } == .notLoaded)
        second.start(flushInterval: .seconds(3600))
        try await second.ready.get()
        let decision = cell.usage.withLockedValue { $0.admit(policy, now: now + 1) }
        guard case .budgetSpent(_, let spent) = decision else {
            Issue.record("expected the budget to be spent after a restart, got \(decision)")
            return
        }
        #expect(abs(spent - 0.002) < 1e-12)
        await second.stop()
    }

    @Test func failedFlushIsRetried() async throws {
        let store = FlakyStore()
        let ledger = UsageLedger(store: store, eventLoop: MultiThreadedEventLoopGroupSingleton.loop, logger: .init(label: "t"))
        ledger.start(flushInterval: .seconds(3600))
        try await ledger.ready.get()
        ledger.cell("k").usage.withLockedValue {
            $0.record(inputTokens: 1, outputTokens: 1, costUSD: 0, KeyPolicy(), now: 0)
        }
        await store.setFailing(true)
        await ledger.flush()
        #expect(await store.saved.isEmpty)
        await store.setFailing(false)
        await ledger.stop()
        #expect(await store.saved.count == 1)
    }
}

enum MultiThreadedEventLoopGroupSingleton {
    static var group: any EventLoopGroup { MultiThreadedEventLoopGroup.singleton }
    static var loop: any EventLoop { MultiThreadedEventLoopGroup.singleton.next() }
}

/// A store whose writes fail on demand.
actor FlakyStore: Store {
    var failing = false
    var saved: [UsageCounter] = []
    func setFailing(_ f: Bool) { failing = f }
    func loadCounters() -> [UsageCounter] { [] }
    func saveCounters(_ c: [UsageCounter]) throws {
        if failing { throw StoreError("down") }
        saved.append(contentsOf: c)
    }
    func appendLogs(_ rows: [RequestLogRow]) {}
    func queryLogs(_ query: LogQuery) -> [RequestLogRow] { [] }
    func deleteLogs(before: Date) {}
    func putJob(_ job: AsyncJob) {}
    func job(id: String) -> AsyncJob? { nil }
    func claimableJobs(worker: String) -> [AsyncJob] { [] }
    func claimJob(id: String, worker: String, leaseSeconds: Double) -> AsyncJob? { nil }
    func renewJobLease(id: String, worker: String, leaseSeconds: Double) -> Bool { false }
    func finishJob(_ job: AsyncJob, worker: String) -> Bool { false }
    func loadRateLimits() -> [RateLimitState] { [] }
    func saveRateLimits(_ states: [RateLimitState]) throws {
        if failing { throw StoreError("down") }
    }
    nonisolated var kind: String { "flaky" }
    func deleteJobs(expiredBefore: Date) {}
    func close() {}
}
