/// The calls of one request's plan (its target, then its fallbacks) and when to move on to the
/// next: a 429 or 5xx answer head, or no answer at all (refused, closed, timed out), tries the
/// next call before anything reaches the client; after the first byte there is no going back.
struct UpstreamAttempts {
    private var calls: [UpstreamCall]
    private let more: (any UpstreamAlternatives)?
    private(set) var index = 0
    private var retriedStale = false

    init(_ plan: UpstreamPlan) {
        calls = plan.calls
        more = plan.more
    }

    init(_ calls: [UpstreamCall]) { self.init(UpstreamPlan(calls)) }

    var isEmpty: Bool { calls.isEmpty }
    var current: UpstreamCall { calls[index] }

    /// Whether an answer head with `status` is passed over for the next call.
    mutating func fallsBack(onStatus status: Int) -> Bool {
        guard status == 429 || status >= 500 else { return false }
        return advance()
    }

    /// Moves to the next call, if there is one.
    mutating func advance() -> Bool {
        if index + 1 >= calls.count {
            guard let next = more?.next(after: calls[index]) else { return false }
            calls.append(next)
        }
        index += 1
        retriedStale = false
        return true
    }

    /// A kept-alive connection that closed before answering was most likely closed idle by the
    /// provider as we reused it: the same call goes again on a fresh one, once.
    mutating func retriesStale(connectionWasReused: Bool) -> Bool {
        guard connectionWasReused, !retriedStale else { return false }
        retriedStale = true
        return true
    }
}
