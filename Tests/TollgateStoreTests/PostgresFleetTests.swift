import Foundation
import NIOPosix
import Testing
@testable import TollgateStore

/// What a fleet relies on, against a real PostgreSQL (PostgresCluster): decisions exact under
/// concurrency from several clients (each its own pool, as separate instances have), leases
/// that let exactly one worker hold a job, and a schema that two instances can create at once.
@Suite(.serialized) struct PostgresFleetTests {
    let group = MultiThreadedEventLoopGroup.singleton

    func open(_ url: String) async throws -> PostgresStore {
        try await PostgresStore.open(url: url, group: group, logger: .init(label: "test"))
    }

    /// Three "instances" on one database, closed after `body` (each holds a connection pool;
    /// the test server allows 100 connections).
    func withFleet(_ body: ([PostgresStore]) async throws -> Void) async throws {
        let stores = try await fleet()
        do {
            try await body(stores)
        } catch {
            for s in stores { try? await s.close() }
            throw error
        }
        for s in stores { try? await s.close() }
    }

    func fleet() async throws -> [PostgresStore] {
        let url = try await PostgresCluster.shared().freshDatabase()
        return try await withThrowingTaskGroup(of: PostgresStore.self) { g in
            // Started together on an empty database: the migration lock makes one wait.
            for _ in 0..<3 { g.addTask { try await open(url) } }
            return try await g.reduce(into: []) { $0.append($1) }
        }
    }

    func ask(_ subject: String, rpm: Int? = nil, tpm: Int? = nil, tokens: Int64 = 0, budget: BudgetAsk? = nil,
             usd: Double = 0, id: String = UUID().uuidString) -> QuotaAsk {
        QuotaAsk(subject: subject, now: Date().timeIntervalSince1970, requestsPerMinute: rpm, tokensPerMinute: tpm,
                 reserveTokens: tokens, budget: budget, reserveUSD: usd, reservationID: id, leaseSeconds: 900)
    }

    func admitted(_ stores: [PostgresStore], count: Int, _ make: @escaping @Sendable (Int) -> QuotaAsk) async throws -> [QuotaVerdict] {
        // In request order (index i made ask i), whatever order they finished in.
        try await withThrowingTaskGroup(of: (Int, QuotaVerdict).self) { g in
            for i in 0..<count { g.addTask { (i, try await stores[i % stores.count].admit(make(i))) } }
            return try await g.reduce(into: []) { $0.append($1) }.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    @Test func schemaCreatedOnceByInstancesStartingTogether() async throws {
        try await withFleet { stores in
            #expect(stores.count == 3)
            for s in stores { try await s.ping() }
        }
    }

    @Test func requestLimitIsExactAcrossInstances() async throws {
        try await withFleet { stores in
            let verdicts = try await admitted(stores, count: 60) { _ in ask("k", rpm: 30) }
            #expect(verdicts.filter { $0 == .allowed }.count == 30)
            let refused = verdicts.compactMap { v -> Double? in
                if case .requestLimit(let r) = v { return r }
                return nil
            }
            #expect(refused.count == 30 && refused.allSatisfy { $0 > 0 && $0 <= 2.01 })
        }
    }

    /// Any limit a config accepts (an Int) reaches the store: 1e11 tokens a minute is no trap.
    @Test func limitsBeyond32BitsAreDecided() async throws {
        try await withFleet { stores in
            #expect(try await stores[0].admit(ask("big", rpm: 100_000_000_000, tpm: 100_000_000_000, tokens: 10)) == .allowed)
            try await stores[1].settle(QuotaSettlement(
                subject: "big", reservationID: nil, now: Date().timeIntervalSince1970, tokensPerMinute: 100_000_000_000,
                reservedTokens: 10, inputTokens: 1, outputTokens: 1, costUSD: 0, budgetWindow: nil, budgetStart: 0))
        }
    }

    @Test func tokenLimitReservesWorstCasesAndSettlementGivesBack() async throws {
        try await withFleet { stores in
            // The bucket leaks 100000/60 ≈ 1667 tokens a second: what must not fit is chosen to
            // need seconds of leak, what must fit is below the give-back.
            let verdicts = try await admitted(stores, count: 20) { i in ask("t", tpm: 100_000, tokens: 10_000, id: "r\(i)") }
            #expect(verdicts.filter { $0 == .allowed }.count == 10)
            #expect(try await stores[0].admit(ask("t", tpm: 100_000, tokens: 5_000)) != .allowed)
            // One of them used 1000 of its 10000: 9000 come back.
            try await stores[1].settle(QuotaSettlement(
                subject: "t", reservationID: nil, now: Date().timeIntervalSince1970, tokensPerMinute: 100_000, reservedTokens: 10_000,
                inputTokens: 400, outputTokens: 600, costUSD: 0, budgetWindow: nil, budgetStart: 0))
            #expect(try await stores[2].admit(ask("t", tpm: 100_000, tokens: 8_000)) == .allowed)
        }
    }

    @Test func budgetNeverOverspentAndSettledReservationsFreeTheRest() async throws {
        try await withFleet { stores in
            let now = Int64(Date().timeIntervalSince1970)
            let budget = BudgetAsk(window: "budget:1d", start: now - 10, end: now + 86400, maxUSD: 1.0)
            let verdicts = try await admitted(stores, count: 30) { i in ask("b", budget: budget, usd: 0.3, id: "b\(i)") }
            let allowed = verdicts.indices.filter { verdicts[$0] == .allowed }
            #expect(allowed.count == 3)  // 3 × 0.3 held; a fourth would pass 1.0
            #expect(verdicts.contains(.budgetHeld(spent: 0)))
            // Settle one at $0.05: its 0.3 is freed, 0.05 spent.
            let i = allowed[0]
            try await stores[0].settle(QuotaSettlement(
                subject: "b", reservationID: "b\(i)", now: Double(now), tokensPerMinute: nil, reservedTokens: 0,
                inputTokens: 10, outputTokens: 10, costUSD: 0.05, budgetWindow: "budget:1d", budgetStart: now - 10))
            #expect(try await stores[1].admit(ask("b", budget: budget, usd: 0.3)) == .allowed)
            let counters = try await stores[2].loadCounters().filter { $0.subject == "b" }
            #expect(counters.first { $0.window == "budget:1d" }?.costUSD == 0.05)
            #expect(counters.first { $0.window == "total" }?.requests == 1)
            // Spent past what one more worst case allows: refused until the window ends.
            let spentOut = try await stores[0].admit(ask("b", budget: BudgetAsk(window: "budget:1d", start: now - 10, end: now + 86400, maxUSD: 0.06), usd: 0.3))
            guard case .budgetSpent(let retry, let spent) = spentOut else {
                Issue.record("expected budgetSpent, got \(spentOut)")
                return
            }
            #expect(retry > 80000 && spent == 0.05)
        }
    }

    /// Settlements go in batches (one row lock per key per batch): a batch frees every
    /// reservation in it, counts every request, and moves the token bucket by the net difference.
    /// Decisions made on the request's event loop (`admit(_:on:)`) agree with the others.
    @Test func aBatchSettlesEveryRequestInIt() async throws {
        try await withFleet { stores in
            let now = Int64(Date().timeIntervalSince1970)
            let budget = BudgetAsk(window: "budget:1d", start: now - 10, end: now + 86400, maxUSD: 1.0)
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            var ids: [String] = []
            for i in 0..<3 {
                let v = try await stores[i].admit(ask("sb", tpm: 6000, tokens: 100, budget: budget, usd: 0.3, id: "sb\(i)"), on: loop).get()
                #expect(v == .allowed)
                ids.append("sb\(i)")
            }
            #expect(try await stores[0].admit(ask("sb", budget: budget, usd: 0.3)) == .budgetHeld(spent: 0))
            let batch = ids.map { id in
                QuotaSettlement(subject: "sb", reservationID: id, now: Double(now), tokensPerMinute: 6000, reservedTokens: 100,
                                inputTokens: 10, outputTokens: 10, costUSD: 0.01, budgetWindow: "budget:1d", budgetStart: now - 10)
            } + [QuotaSettlement(subject: "other", reservationID: nil, now: Double(now), tokensPerMinute: nil, reservedTokens: 0,
                                 inputTokens: 1, outputTokens: 1, costUSD: 0.5, budgetWindow: nil, budgetStart: 0)]
            try await stores[1].settle(batch: batch)
            let counters = try await stores[2].loadCounters()
            let sb = counters.filter { $0.subject == "sb" }
            #expect(sb.first { $0.window == "total" }?.requests == 3)
            #expect(abs((sb.first { $0.window == "budget:1d" }?.costUSD ?? 0) - 0.03) < 1e-9)
            #expect(counters.first { $0.subject == "other" && $0.window == "total" }?.costUSD == 0.5)
            // All three reservations freed: 0.97 left, three more 0.3 worst cases fit.
            for _ in 0..<3 { #expect(try await stores[0].admit(ask("sb", budget: budget, usd: 0.3)) == .allowed) }
        }
    }

    @Test func aJobIsHeldByOneWorkerUntilItsLeaseExpires() async throws {
        try await withFleet { stores in
            let job = AsyncJob(id: "j", owner: "team", routeID: "chat", uri: "/v1/chat/completions", headers: [["a", "b"]], body: [1, 2])
            try await stores[0].putJob(job)
            let claims = try await withThrowingTaskGroup(of: AsyncJob?.self) { g in
                for (i, s) in stores.enumerated() { g.addTask { try await s.claimJob(id: "j", worker: "w\(i)", leaseSeconds: 1) } }
                return try await g.reduce(into: []) { $0.append($1) }
            }
            #expect(claims.compactMap { $0 }.count == 1)
            let holder = try #require(try await Self.holder(stores[0], "j"))
            let other = holder == "w0" ? "w1" : "w0"
            #expect(try await stores[1].renewJobLease(id: "j", worker: holder, leaseSeconds: 1))
            #expect(try await !stores[1].renewJobLease(id: "j", worker: other, leaseSeconds: 1))
            #expect(try await stores[2].claimableJobs(worker: other).isEmpty)
            // The holder dies: no renewal; after the lease another takes it, and the old holder's
            // late result is refused.
            try await Task.sleep(for: .milliseconds(1200))
            #expect(try await stores[2].claimableJobs(worker: other).map(\.id) == ["j"])
            #expect(try await stores[2].claimJob(id: "j", worker: other, leaseSeconds: 10) != nil)
            var late = job
            late.state = .done
            late.finishedAt = Date()
            #expect(try await !stores[0].finishJob(late, worker: holder))
            late.resultStatus = 200
            #expect(try await stores[1].finishJob(late, worker: other))
            #expect(try await stores[0].job(id: "j")?.state == .done)
            #expect(try await stores[0].claimJob(id: "j", worker: holder, leaseSeconds: 10) == nil)
        }
    }

    static func holder(_ s: PostgresStore, _ id: String) async throws -> String? {
        for w in ["w0", "w1", "w2"] where try await s.renewJobLease(id: id, worker: w, leaseSeconds: 1) { return w }
        return nil
    }

    @Test func storeOutageFailsCallsThenRecoversWithoutReopening() async throws {
        let cluster = try await PostgresCluster.dedicated()
        defer { cluster.remove() }
        let store = try await open(try await cluster.freshDatabase())
        try await store.ping()
        try await cluster.stopServer()
        await #expect(throws: (any Error).self) {
            try await withDeadline { try await store.admit(ask("o", rpm: 10)) }
        }
        try await cluster.startServer()
        var recovered = false
        for _ in 0..<40 where !recovered {
            recovered = (try? await withDeadline { try await store.admit(ask("o", rpm: 10)) }) == .allowed
            if !recovered { try await Task.sleep(for: .milliseconds(250)) }
        }
        #expect(recovered)
    }
}

/// The store's pool retries connecting for as long as it is asked; the gateway bounds each
/// call (StoreCall), and so does this.
func withDeadline<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await bounded(.seconds(2), work)
}
