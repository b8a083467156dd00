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
        case requestLimit(retryAfter: Double)
        case tokenLimit(retryAfter: Double)
    }

    /// Decides one request. Checks that only read come first, so a refused request does not
    /// take a request slot; an admitted one takes it.
    mutating func admit(_ policy: KeyPolicy, now: Double) -> Admission {
        guard loaded else { return .notLoaded }
        if let budget = policy.budget {
            let w = currentWindow(budget, now: Int64(now))
            let spent = counters[CounterID(window: w.name, start: w.start)]?.costUSD ?? 0
            if spent >= budget.maxUSD { return .budgetSpent(retryAfter: Double(w.end) - now, spent: spent) }
        }
        if policy.rateLimit?.tokensPerMinute != nil, let wait = tokens.checkTokens(now: now) {
            return .tokenLimit(retryAfter: wait)
        }
        if let rpm = policy.rateLimit?.requestsPerMinute, let wait = requests.admitRequest(limitPerMinute: rpm, now: now) {
            return .requestLimit(retryAfter: wait)
        }
        return .allowed
    }

    /// Accounts a finished request (or one whose client left): its tokens and cost.
    mutating func record(inputTokens: Int, outputTokens: Int, costUSD: Double, _ policy: KeyPolicy, now: Double) {
        if let tpm = policy.rateLimit?.tokensPerMinute {
            tokens.spend(tokens: inputTokens + outputTokens, limitPerMinute: tpm, now: now)
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
    mutating func seed(_ stored: [UsageCounter]) {
        for c in stored {
            counters[CounterID(window: c.window, start: c.windowStart), default: Totals()].add(
                requests: c.requests, input: c.inputTokens, output: c.outputTokens, cost: c.costUSD)
        }
        loaded = true
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
}
