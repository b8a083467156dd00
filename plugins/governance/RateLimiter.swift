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
