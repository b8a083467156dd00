/// A GCRA rate limit (the "generic cell rate algorithm", a leaky bucket kept as one number):
/// `theoreticalArrival` is when the bucket would be empty again. A key may spend a whole
/// minute's allowance at once, then regains it continuously at `perMinute / 60` per second.
/// No window edges: the fourth request of a 3-per-minute key is refused whenever it comes
/// within the minute, and allowed again exactly when a third of the minute has leaked away.
struct RateLimiter: Sendable, Equatable {
    /// Unix seconds; never earlier than "now" matters, so 0 is an empty bucket.
    var theoreticalArrival: Double = 0

    static let window = 60.0

    /// Requests: admits one if the bucket has room for a whole request, and takes it.
    /// Returns nil when admitted, else the seconds until one would be.
    mutating func admitRequest(limitPerMinute: Int, now: Double) -> Double? {
        let interval = Self.window / Double(limitPerMinute)
        let tat = max(theoreticalArrival, now)
        // A full bucket holds `limit` requests: the last one may end a whole window ahead.
        let tolerance = Self.window - interval
        if tat - now > tolerance + 1e-9 { return tat - tolerance - now }
        theoreticalArrival = tat + interval
        return nil
    }

    /// Tokens: admits a request if its worst case (`reserve`, at most a whole minute's
    /// allowance) fits in what is left, and takes it; `settle` later swaps it for what was used.
    /// So concurrent requests can never together be admitted more than the limit. A request
    /// with no known worst case (0) is admitted while any allowance is left.
    mutating func admitTokens(reserve: Int, limitPerMinute: Int, now: Double) -> Double? {
        guard reserve > 0 else { return checkTokens(now: now) }
        let step = Self.window / Double(limitPerMinute)
        let after = max(theoreticalArrival, now) + Double(reserve) * step
        if after - now > Self.window + 1e-9 { return after - Self.window - now }
        theoreticalArrival = after
        return nil
    }

    /// Replaces a reservation by the tokens really used: gives back the rest, or takes more.
    mutating func settle(used: Int, reserved: Int, limitPerMinute: Int, now: Double) {
        let delta = used - reserved
        guard delta != 0 else { return }
        let step = Self.window / Double(limitPerMinute)
        theoreticalArrival = delta > 0
            ? max(theoreticalArrival, now) + Double(delta) * step
            : theoreticalArrival + Double(delta) * step
    }

    /// Tokens are known only after the answer, so admission asks whether any allowance is left
    /// (the bucket is not overdrawn); `spend` then takes what was used. The request that
    /// crosses the limit succeeds, the next one is refused. Returns nil when admitted, else the
    /// seconds until the bucket drops below full.
    func checkTokens(now: Double) -> Double? {
        let ahead = theoreticalArrival - now
        return ahead >= Self.window - 1e-9 ? ahead - Self.window : nil
    }

    mutating func spend(tokens: Int, limitPerMinute: Int, now: Double) {
        guard tokens > 0 else { return }
        let interval = Self.window / Double(limitPerMinute)
        theoreticalArrival = max(theoreticalArrival, now) + Double(tokens) * interval
    }
}

/// `retry-after` is whole seconds; never 0, so a client that obeys it does not spin.
func retryAfterSeconds(_ seconds: Double) -> Int {
    max(1, Int(seconds.rounded(.up)))
}
