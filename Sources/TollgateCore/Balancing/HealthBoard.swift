import NIOCore
import Synchronization
import TollgateConfig

/// Which targets (`provider/model`) and provider keys (`provider#2`) are failing, and until when
/// each is left out (docs/routing.md, "Health"). One per process, kept across reloads, shared by
/// every event loop.
///
/// A healthy gateway pays one atomic load per request: `troubled` counts the entries with
/// failures or a cooldown, and while it is zero nothing needs the lock.
public final class HealthBoard: Sendable {
    struct Entry {
        /// Consecutive failures; not reset when a cooldown starts or ends, so the first failure
        /// after a cooldown starts the next one at once (half-open), and a success closes it.
        var failures = 0
        /// Uptime nanoseconds until which it is left out; 0 when never or cleared.
        var until: UInt64 = 0
        var cooldowns = 0
        var troubled: Bool { failures > 0 || until != 0 }
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let troubled = Atomic<Int>(0)
    private let statsByTarget = Mutex<[String: TargetStats]>([:])
    /// Calls made to a target after another call of the same request failed (retries and
    /// fallbacks), by target, for metrics.
    private let retried = Mutex<[String: Int]>([:])

    public init() {}

    public static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    /// Whether any target or key has failures or a cooldown (else nothing needs looking up).
    public var anyTrouble: Bool { troubled.load(ordering: .relaxed) > 0 }

    /// Until when `id` is cooling down (uptime ns), or nil when it is not.
    /// `id` is made only when something is troubled: a healthy gateway builds no string.
    public func coolingUntil(_ id: @autoclosure () -> String, now: UInt64 = HealthBoard.now()) -> UInt64? {
        guard troubled.load(ordering: .relaxed) > 0 else { return nil }
        let key = id()
        return entries.withLock { map in
            guard let e = map[key], e.until > now else { return nil }
            return e.until
        }
    }

    /// A call to `id` answered (anything but a 429 or a 5xx): its failures are forgotten.
    public func succeeded(_ id: @autoclosure () -> String) {
        guard troubled.load(ordering: .relaxed) > 0 else { return }
        let key = id()
        entries.withLock { map in
            guard var e = map[key], e.troubled else { return }
            e.failures = 0
            e.until = 0
            map[key] = e
            troubled.subtract(1, ordering: .relaxed)
        }
    }

    /// A call to `id` failed: a connect error, a timeout, a 5xx, a broken stream (`retryAfter`
    /// nil), or a 429 (`rateLimited`, with its `retry-after` in seconds when it gave one).
    public func failed(_ id: String, _ config: HealthConfig, rateLimited: Bool = false, retryAfter: Double? = nil) {
        let now = Self.now()
        entries.withLock { map in
            // Clients choose model names: past this many, new names are not tracked.
            guard map[id] != nil || map.count < Self.maxEntries else { return }
            var e = map[id] ?? Entry()
            if !e.troubled { troubled.add(1, ordering: .relaxed) }
            e.failures += 1
            guard rateLimited || e.failures >= config.failuresToCooldown else {
                map[id] = e
                return
            }
            // A provider's retry-after is its own text: held to a day, so no value overflows.
            let seconds = min(max(config.cooldownSeconds, rateLimited ? (retryAfter ?? 0) : 0), Self.longestCooldown)
            let until = now &+ UInt64(max(0, seconds) * 1e9)
            if e.until <= now { e.cooldowns += 1 }
            e.until = max(e.until, until)
            map[id] = e
        }
    }

    /// The live numbers of a group's target, made once and kept across reloads.
    public func stats(_ id: String) -> TargetStats {
        statsByTarget.withLock { map in
            if let s = map[id] { return s }
            let s = TargetStats()
            map[id] = s
            return s
        }
    }

    public func countRetry(_ id: String) {
        retried.withLock { map in
            guard map[id] != nil || map.count < Self.maxEntries else { return }
            map[id, default: 0] += 1
        }
    }

    static let maxEntries = 10_000
    static let longestCooldown: Double = 86_400

    /// Everything known, for `/metrics`.
    public func snapshot() -> HealthSnapshot {
        let now = Self.now()
        var out = HealthSnapshot()
        entries.withLock { map in
            for (id, e) in map {
                out.entries[id] = .init(coolingDown: e.until > now, failures: e.failures, cooldowns: e.cooldowns)
            }
        }
        statsByTarget.withLock { map in
            for (id, s) in map { out.stats[id] = .init(inFlight: s.inFlight, ttfbSeconds: s.ttfbSeconds) }
        }
        out.retries = retried.withLock { $0 }
        return out
    }
}

public struct HealthSnapshot: Sendable {
    public struct Entry: Sendable {
        public var coolingDown: Bool
        public var failures: Int
        public var cooldowns: Int
    }
    public struct Stats: Sendable {
        public var inFlight: Int
        public var ttfbSeconds: Double?
    }
    /// By target (`provider/model`) or key (`provider#N`).
    public var entries: [String: Entry] = [:]
    public var stats: [String: Stats] = [:]
    public var retries: [String: Int] = [:]
}

/// A group target's requests in flight and its moving average of time to first byte, read by
/// the `least-busy` and `lowest-latency` strategies.
public final class TargetStats: Sendable {
    private let inFlightCount = Atomic<Int>(0)
    /// The average's bit pattern; `UInt64.max` until the first measurement.
    private let ttfbBits = Atomic<UInt64>(UInt64.max)
    static let alpha = 0.3

    public var inFlight: Int { inFlightCount.load(ordering: .relaxed) }
    public var ttfbSeconds: Double? {
        let b = ttfbBits.load(ordering: .relaxed)
        return b == UInt64.max ? nil : Double(bitPattern: b)
    }

    func started() { inFlightCount.add(1, ordering: .relaxed) }
    func ended() { inFlightCount.subtract(1, ordering: .relaxed) }

    func recordTTFB(_ seconds: Double) {
        var old = ttfbBits.load(ordering: .relaxed)
        while true {
            let next = old == UInt64.max ? seconds : Self.alpha * seconds + (1 - Self.alpha) * Double(bitPattern: old)
            let (done, seen) = ttfbBits.compareExchange(expected: old, desired: next.bitPattern, ordering: .relaxed)
            if done { return }
            old = seen
        }
    }
}
