import NIOCore

/// Limits and budgets decided by the store itself, so that any number of gateways sharing it
/// admit exactly what one would (spec section 11). One `admit` is one round trip that locks
/// the key's row, checks every limit and takes the reservation together; `settle` replaces the
/// reservation with what the request really used.
public protocol SharedQuota: Sendable {
    func admit(_ ask: QuotaAsk) async throws -> QuotaVerdict
    /// The same decision for a request on `loop`, answered on `loop`. A store that can reach
    /// the database from the loop itself does so (PostgreSQL); the default runs `admit` as a task.
    func admit(_ ask: QuotaAsk, on loop: any EventLoop) -> EventLoopFuture<QuotaVerdict>
    func settle(_ settlement: QuotaSettlement) async throws
    /// Several settlements at once, all or nothing (a failed batch may be sent again whole):
    /// for PostgreSQL one transaction with one statement per key and budget window.
    func settle(batch: [QuotaSettlement]) async throws
}

extension SharedQuota {
    /// One by one; only for a store whose single settlements cannot fail halfway (tests).
    public func settle(batch: [QuotaSettlement]) async throws {
        for s in batch { try await settle(s) }
    }

    public func admit(_ ask: QuotaAsk, on loop: any EventLoop) -> EventLoopFuture<QuotaVerdict> {
        loop.makeFutureWithTask { try await self.admit(ask) }
    }
}

/// One request's admission: the key's limits and what to reserve against them.
public struct QuotaAsk: Sendable, Equatable {
    public var subject: String
    /// Unix seconds, the gateway's clock (windows are aligned, so instances agree on them).
    public var now: Double
    public var requestsPerMinute: Int?
    public var tokensPerMinute: Int?
    /// The request's worst case in tokens (input estimate plus its output cap).
    public var reserveTokens: Int64
    public var budget: BudgetAsk?
    /// The request's worst-case cost in USD.
    public var reserveUSD: Double
    /// Names the reservation for `settle`; the request id.
    public var reservationID: String
    /// A reservation whose request never settles (its gateway died) stops counting after this.
    public var leaseSeconds: Double

    public init(subject: String, now: Double, requestsPerMinute: Int?, tokensPerMinute: Int?, reserveTokens: Int64,
                budget: BudgetAsk?, reserveUSD: Double, reservationID: String, leaseSeconds: Double) {
        self.subject = subject
        self.now = now
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.reserveTokens = reserveTokens
        self.budget = budget
        self.reserveUSD = reserveUSD
        self.reservationID = reservationID
        self.leaseSeconds = leaseSeconds
    }
}

/// The budget window in force and its ceiling.
public struct BudgetAsk: Sendable, Equatable {
    public var window: String
    public var start: Int64
    public var end: Int64
    public var maxUSD: Double

    public init(window: String, start: Int64, end: Int64, maxUSD: Double) {
        self.window = window
        self.start = start
        self.end = end
        self.maxUSD = maxUSD
    }
}

public enum QuotaVerdict: Sendable, Equatable {
    case allowed
    case budgetSpent(retryAfter: Double, spent: Double)
    /// The budget is not spent, but requests in flight hold the rest (their reservations);
    /// worth retrying within seconds.
    case budgetHeld(spent: Double)
    case requestLimit(retryAfter: Double)
    case tokenLimit(retryAfter: Double)
}

/// What an admitted request really used, to replace its reservation. Sent for every request of
/// a key, limited or not, so the shared counters hold every instance's usage.
public struct QuotaSettlement: Sendable, Equatable {
    public var subject: String
    /// Nil when nothing was reserved.
    public var reservationID: String?
    public var now: Double
    public var tokensPerMinute: Int?
    public var reservedTokens: Int64
    public var inputTokens: Int64
    public var outputTokens: Int64
    public var costUSD: Double
    /// The budget window the cost counts in, if the key has a budget.
    public var budgetWindow: String?
    public var budgetStart: Int64

    public init(subject: String, reservationID: String?, now: Double, tokensPerMinute: Int?, reservedTokens: Int64,
                inputTokens: Int64, outputTokens: Int64, costUSD: Double, budgetWindow: String?, budgetStart: Int64) {
        self.subject = subject
        self.reservationID = reservationID
        self.now = now
        self.tokensPerMinute = tokensPerMinute
        self.reservedTokens = reservedTokens
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.costUSD = costUSD
        self.budgetWindow = budgetWindow
        self.budgetStart = budgetStart
    }
}
