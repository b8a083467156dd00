import PostgresNIO

/// One round trip per decision and per settlement: the logic is in `tollgate_admit` and
/// `tollgate_settle` (PostgresSchema), where the key's row lock makes it exact.
extension PostgresStore {
    public func admit(_ ask: QuotaAsk) async throws -> QuotaVerdict {
        // Limits as bigint: a config may set any Int (a 1e11 tokens-a-minute key is valid).
        let rpm = ask.requestsPerMinute.map(Int64.init)
        let tpm = ask.tokensPerMinute.map(Int64.init)
        let b = ask.budget
        let rows = try await client.query("""
            SELECT verdict, retry_after, spent FROM tollgate_admit(
                \(ask.subject), \(rpm)::bigint, \(tpm)::bigint, \(ask.reserveTokens),
                \(b?.window)::text, \(b?.start)::bigint, \(b?.end)::bigint, \(b?.maxUSD)::double precision,
                \(ask.reserveUSD), \(ask.now), \(ask.reservationID), \(ask.leaseSeconds))
            """, logger: logger)
        for try await (verdict, retry, spent) in rows.decode((String, Double, Double).self) {
            switch verdict {
            case "allowed": return .allowed
            case "budget": return .budgetSpent(retryAfter: retry, spent: spent)
            case "budget-held": return .budgetHeld(spent: spent)
            case "requests": return .requestLimit(retryAfter: retry)
            case "tokens": return .tokenLimit(retryAfter: retry)
            default: throw StoreError("store: unexpected quota verdict '\(verdict)'")
            }
        }
        throw StoreError("store: the quota function returned no row")
    }

    public func settle(_ s: QuotaSettlement) async throws {
        let tpm = s.tokensPerMinute.map(Int64.init)
        let budgetStart: Int64? = s.budgetWindow == nil ? nil : s.budgetStart
        try await client.query("""
            SELECT tollgate_settle(\(s.subject), \(s.reservationID)::text, \(tpm)::bigint, \(s.reservedTokens),
                \(s.inputTokens), \(s.outputTokens), \(s.costUSD), \(s.budgetWindow)::text, \(budgetStart)::bigint)
            """, logger: logger).collect()
    }
}
