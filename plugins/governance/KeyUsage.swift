import TollgateConfig
import TollgateStore

/// What one virtual key has used: its rate-limit buckets and its persisted counters (the budget
/// window's, and an all-time total). A plain value, mutated only under its `KeyCell`'s lock;
/// every decision takes the time as an argument, so tests drive it with any clock.
struct KeyUsage: Sendable {
    /// Counters are loaded from the store before the first decision, so a restart cannot
    /// forget spend; until then the access phase waits.
    var loaded = false
    var requests = RateLimiter()
    var tokens = RateLimiter()
    var counters: [CounterID: Totals] = [:]
    /// Counters changed since the last flush.
    var dirty: Set<CounterID> = []
    /// The budget window in force, kept so the access phase computes a window only when one ends.
    var window: BudgetWindow?
    /// The budget period `window` was computed for; a reload may change it.
    var windowPeriod = ""
    /// Worst-case cost of the requests admitted and not yet settled.
    var reservedUSD: Double = 0
    /// The rate limiters changed since the last flush.
    var limitsDirty = false

    struct Totals: Sendable, Equatable {
        var requests: Int64 = 0
        var inputTokens: Int64 = 0
        var outputTokens: Int64 = 0
        var costUSD: Double = 0
    }

    static let total = CounterID(window: "total", start: 0)

    enum Admission: Equatable {
        case allowed
        case notLoaded
        /// Seconds until the budget window ends, and what it has spent.
        case budgetSpent(retryAfter: Double, spent: Double)
        /// Not spent; requests in flight hold the rest.
        case budgetHeld(spent: Double)
        case requestLimit(retryAfter: Double)
        case tokenLimit(retryAfter: Double)
    }

    /// Decides one request. Checks that only read come first, so a refused request does not
    /// take a request slot; an admitted one takes its slot and its reservation (see
    /// `Reservation`), which `settle` swaps for what was used.
    mutating func admit(_ policy: KeyPolicy, reserve: Reservation = .none, now: Double) -> Admission {
        guard loaded else { return .notLoaded }
        if let budget = policy.budget {
            let w = currentWindow(budget, now: Int64(now))
            let spent = counters[CounterID(window: w.name, start: w.start)]?.costUSD ?? 0
            if spent >= budget.maxUSD || spent + reserve.usd > budget.maxUSD {
                return .budgetSpent(retryAfter: Double(w.end) - now, spent: spent)
            }
            // Requests in flight hold the rest; they settle within their answer's time.
            if spent + reservedUSD + reserve.usd > budget.maxUSD { return .budgetHeld(spent: spent) }
        }
        var tokensAfter = tokens
        if let tpm = policy.rateLimit?.tokensPerMinute,
           let wait = tokensAfter.admitTokens(reserve: reserve.tokens, limitPerMinute: tpm, now: now) {
            return .tokenLimit(retryAfter: wait)
        }
        if let rpm = policy.rateLimit?.requestsPerMinute, let wait = requests.admitRequest(limitPerMinute: rpm, now: now) {
            return .requestLimit(retryAfter: wait)
        }
        tokens = tokensAfter
        reservedUSD += reserve.usd
        limitsDirty = limitsDirty || policy.rateLimit != nil
        return .allowed
    }

    /// Accounts a finished request (or one whose client left): its tokens and cost.
    mutating func record(inputTokens: Int, outputTokens: Int, costUSD: Double, _ policy: KeyPolicy, now: Double) {
        settle(inputTokens: inputTokens, outputTokens: outputTokens, costUSD: costUSD, reserved: .none, policy, now: now)
    }

    /// Accounts a finished request (or one whose client left): its reservation is released,
    /// its tokens and cost counted.
    mutating func settle(inputTokens: Int, outputTokens: Int, costUSD: Double, reserved: Reservation, _ policy: KeyPolicy, now: Double) {
        reservedUSD = max(0, reservedUSD - reserved.usd)
        if let tpm = policy.rateLimit?.tokensPerMinute {
            tokens.settle(used: inputTokens + outputTokens, reserved: reserved.tokens, limitPerMinute: tpm, now: now)
            limitsDirty = true
        }
        add(Self.total, inputTokens, outputTokens, costUSD)
        if let budget = policy.budget {
            let w = currentWindow(budget, now: Int64(now))
            add(CounterID(window: w.name, start: w.start), inputTokens, outputTokens, costUSD)
        }
    }

    private mutating func add(_ id: CounterID, _ input: Int, _ output: Int, _ cost: Double) {
        counters[id, default: Totals()].add(requests: 1, input: Int64(input), output: Int64(output), cost: cost)
        dirty.insert(id)
    }

    private mutating func currentWindow(_ budget: Budget, now: Int64) -> BudgetWindow {
        if let w = window, windowPeriod == budget.period, w.contains(now) { return w }
        let w = BudgetWindow(budget: budget, now: now)
        // A new window: earlier ones of the same name are history (already flushed, or about
        // to be: dirty ones stay until then).
        counters = counters.filter { id, _ in id.window != w.name || id.start >= w.start || dirty.contains(id) }
        window = w
        windowPeriod = budget.period
        return w
    }

    /// Adds what the store holds (before any request was decided, so nothing is counted twice).
    mutating func seed(_ stored: [UsageCounter], limits: [RateLimitState] = []) {
        for c in stored {
            counters[CounterID(window: c.window, start: c.windowStart), default: Totals()].add(
                requests: c.requests, input: c.inputTokens, output: c.outputTokens, cost: c.costUSD)
        }
        for l in limits {
            if l.kind == "requests" { requests.theoreticalArrival = max(requests.theoreticalArrival, l.theoreticalArrival) }
            if l.kind == "tokens" { tokens.theoreticalArrival = max(tokens.theoreticalArrival, l.theoreticalArrival) }
        }
        loaded = true
    }

    /// The rate limiters, if changed since the last call, as store rows.
    mutating func takeDirtyLimits(subject: String) -> [RateLimitState] {
        guard limitsDirty else { return [] }
        limitsDirty = false
        return [
            RateLimitState(subject: subject, kind: "requests", theoreticalArrival: requests.theoreticalArrival),
            RateLimitState(subject: subject, kind: "tokens", theoreticalArrival: tokens.theoreticalArrival),
        ]
    }

    /// The counters changed since the last call, as store rows; clears the dirty set.
    mutating func takeDirty(subject: String) -> [UsageCounter] {
        guard !dirty.isEmpty else { return [] }
        defer { dirty.removeAll(keepingCapacity: true) }
        return dirty.compactMap { id in
            counters[id].map {
                UsageCounter(subject: subject, window: id.window, windowStart: id.start, requests: $0.requests,
                    inputTokens: $0.inputTokens, outputTokens: $0.outputTokens, costUSD: $0.costUSD)
            }
        }
    }

    /// A flush failed: those counters are written again next time.
    mutating func markDirty(_ rows: [UsageCounter]) {
        for r in rows { dirty.insert(CounterID(window: r.window, start: r.windowStart)) }
    }
}

struct CounterID: Hashable, Sendable {
    var window: String
    var start: Int64
}

extension KeyUsage.Totals {
    mutating func add(requests r: Int64, input: Int64, output: Int64, cost: Double) {
        requests += r
        inputTokens += input
        outputTokens += output
        costUSD += cost
    }
}

/// The limits of one virtual key, from its config entry.
struct KeyPolicy: Sendable {
    var budget: Budget?
    var rateLimit: RateLimit?

    /// Whether admission must reserve a worst case (read the request's size and price).
    var reserves: Bool { budget != nil || rateLimit?.tokensPerMinute != nil }
    /// Whether a fleet must ask the store before admitting.
    var isLimited: Bool { budget != nil || rateLimit != nil }
}

/// What an admitted request holds until it settles: its worst case in tokens (for
/// `tokens_per_minute`) and in USD (for the budget).
struct Reservation: Sendable, Equatable {
    var tokens: Int
    var usd: Double
    static let none = Reservation(tokens: 0, usd: 0)
}
