import NIOCore
import PostgresNIO

/// One round trip per decision and per settlement: the logic is in `tollgate_admit` and
/// `tollgate_settle_batch` (PostgresQuotaFunctions), where the key's row lock makes it exact.
extension PostgresStore {
    public func admit(_ ask: QuotaAsk) async throws -> QuotaVerdict {
        let rows = try await client.query(Self.admitQuery(ask), logger: logger)
        for try await (verdict, retry, spent) in rows.decode((String, Double, Double).self) {
            return try Self.verdict(verdict, retry, spent)
        }
        throw StoreError("store: the quota function returned no row")
    }

    /// On the request's loop, through that loop's own connection (`PostgresLoopConnections`).
    public func admit(_ ask: QuotaAsk, on loop: any EventLoop) -> EventLoopFuture<QuotaVerdict> {
        loopConnections.query(Self.admitQuery(ask), on: loop).flatMapThrowing { result in
            guard let row = result.rows.first else { throw StoreError("store: the quota function returned no row") }
            let (verdict, retry, spent) = try row.decode((String, Double, Double).self)
            return try Self.verdict(verdict, retry, spent)
        }
    }

    private static func admitQuery(_ ask: QuotaAsk) -> PostgresQuery {
        // Limits as bigint: a config may set any Int (a 1e11 tokens-a-minute key is valid).
        let rpm = ask.requestsPerMinute.map(Int64.init)
        let tpm = ask.tokensPerMinute.map(Int64.init)
        let b = ask.budget
        return """
            SELECT verdict, retry_after, spent FROM tollgate_admit(
                \(ask.subject), \(rpm)::bigint, \(tpm)::bigint, \(ask.reserveTokens),
                \(b?.window)::text, \(b?.start)::bigint, \(b?.end)::bigint, \(b?.maxUSD)::double precision,
                \(ask.reserveUSD), \(ask.now), \(ask.reservationID), \(ask.leaseSeconds))
            """
    }

    private static func verdict(_ verdict: String, _ retry: Double, _ spent: Double) throws -> QuotaVerdict {
        switch verdict {
        case "allowed": return .allowed
        case "budget": return .budgetSpent(retryAfter: retry, spent: spent)
        case "budget-held": return .budgetHeld(spent: spent)
        case "requests": return .requestLimit(retryAfter: retry)
        case "tokens": return .tokenLimit(retryAfter: retry)
        default: throw StoreError("store: unexpected quota verdict '\(verdict)'")
        }
    }

    public func settle(_ s: QuotaSettlement) async throws {
        try await settle(batch: [s])
    }

    /// A batch, summed per key, budget window and token limit, in one transaction: each key's
    /// row is locked once for all its requests (`tollgate_settle_batch`).
    public func settle(batch: [QuotaSettlement]) async throws {
        guard !batch.isEmpty else { return }
        struct Group: Hashable {
            var subject: String
            var window: String?
            var start: Int64
            var tpm: Int?
        }
        struct Sum {
            var reservations: [String] = []
            var delta: Int64 = 0
            var requests: Int64 = 0
            var input: Int64 = 0
            var output: Int64 = 0
            var cost: Double = 0
            mutating func add(_ s: QuotaSettlement) {
                if let r = s.reservationID { reservations.append(r) }
                delta += s.inputTokens + s.outputTokens - s.reservedTokens
                requests += 1
                input += s.inputTokens
                output += s.outputTokens
                cost += s.costUSD
            }
        }
        var groups: [Group: Sum] = [:]
        var order: [Group] = []
        for s in batch {
            let g = Group(subject: s.subject, window: s.budgetWindow, start: s.budgetWindow == nil ? 0 : s.budgetStart, tpm: s.tokensPerMinute)
            if groups[g] == nil { order.append(g) }
            groups[g, default: Sum()].add(s)
        }
        // Keys in one order on every instance, so two batches never wait on each other's locks.
        order.sort { ($0.subject, $0.window ?? "", $0.start) < ($1.subject, $1.window ?? "", $1.start) }
        try await client.withTransaction(logger: logger) { tx in
            for g in order {
                guard let sum = groups[g] else { continue }
                let tpm = g.tpm.map(Int64.init)
                let start: Int64? = g.window == nil ? nil : g.start
                _ = try await tx.query("""
                    SELECT tollgate_settle_batch(\(g.subject), \(sum.reservations), \(tpm)::bigint, \(sum.delta),
                        \(sum.requests), \(sum.input), \(sum.output), \(sum.cost), \(g.window)::text, \(start)::bigint)
                    """, logger: logger)
            }
        }
    }
}
