import Logging
import NIOConcurrencyHelpers
import NIOCore
import TollgateStore

/// One virtual key's usage behind its own lock: requests of different keys never contend, and
/// the access phase holds the lock for a few comparisons only.
final class KeyCell: Sendable {
    let usage = NIOLockedValueBox(KeyUsage())
}

/// Every key's usage for the life of the process. It is kept in `GatewayServices.shared`, so a
/// reload (which rebuilds the plugin) finds the same cells by key name and no count is reset.
/// Counters come from the store once at start; a background task writes the changed ones back
/// every `flushInterval` and once more at shutdown, so nothing counted is lost on a clean stop.
final class UsageLedger: Sendable {
    private struct State {
        var cells: [String: KeyCell] = [:]
        /// What the store held at start, by key name; nil while still loading.
        var stored: [String: [UsageCounter]]?
        var storedLimits: [String: [RateLimitState]] = [:]
        /// Fleet settlements the store did not take yet; retried by the flush.
        var unsettled: [QuotaSettlement] = []
        /// Fleet settlements gathered for the next batch.
        var pending: [QuotaSettlement] = []
        /// Whether a task is sending batches; shutdown waits for it.
        var sending = false
    }

    private let state = NIOLockedValueBox(State())
    /// The embedded store, whose counters this process owns; nil in a fleet.
    private let store: (any Store)?
    /// A fleet's store, which decides and counts itself (`GovernancePlugin.admitShared`).
    let shared: (any SharedQuota)?
    /// Settlements kept for retry at most; beyond, the oldest are dropped (and logged): their
    /// reservations expire by themselves in the store.
    static let maxUnsettled = 100_000
    private let logger: Logger
    private let readyPromise: EventLoopPromise<Void>
    private let flusher = NIOLockedValueBox<Task<Void, Never>?>(nil)

    /// Completes once stored counters are in; requests that come before wait for it.
    var ready: EventLoopFuture<Void> { readyPromise.futureResult }

    static let sharedKey = "governance.ledger"

    init(store: (any Store)?, eventLoop: any EventLoop, logger: Logger) {
        self.shared = store?.sharedQuota
        self.store = shared == nil ? store : nil
        self.logger = logger
        self.readyPromise = eventLoop.makePromise()
    }

    /// Loads the stored counters and starts the periodic flush. Called once, by whoever
    /// creates the ledger.
    func start(flushInterval: Duration = .seconds(1)) {
        guard let store else {
            finishLoading([], [])
            if shared != nil { startRetrying(flushInterval) }
            return
        }
        let logger = self.logger
        let task = Task { [self] in
            do {
                finishLoading(try await store.loadCounters(), try await store.loadRateLimits())
            } catch {
                logger.error("governance: cannot load usage counters, starting from zero: \(error)")
                finishLoading([], [])
            }
            while !Task.isCancelled {
                try? await Task.sleep(for: flushInterval)
                await flush()
            }
        }
        flusher.withLockedValue { $0 = task }
    }

    private func startRetrying(_ interval: Duration) {
        let task = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await retryUnsettled()
            }
        }
        flusher.withLockedValue { $0 = task }
    }

    private func finishLoading(_ counters: [UsageCounter], _ limits: [RateLimitState]) {
        let bySubject = Dictionary(grouping: counters, by: \.subject)
        let limitsBySubject = Dictionary(grouping: limits, by: \.subject)
        state.withLockedValue { s in
            s.stored = bySubject
            s.storedLimits = limitsBySubject
            for (name, cell) in s.cells {
                cell.usage.withLockedValue { $0.seed(bySubject[name] ?? [], limits: limitsBySubject[name] ?? []) }
            }
        }
        readyPromise.succeed()
    }

    // MARK: fleet

    /// How long a batch of fleet settlements gathers before it goes: at most one batch per
    /// interval, so a busy key then takes its row lock once per batch, not once
    /// per request, and the next request's decision rarely waits behind a settlement.
    static let settleGather: Duration = .milliseconds(5)

    /// Sends a fleet request's settlement off the request path, batched with the others that end
    /// within a few milliseconds; a batch the store does not take is kept and retried, so an
    /// outage delays accounting but never loses it.
    func settle(_ s: QuotaSettlement) {
        guard let shared else { return }
        let start = state.withLockedValue { st -> Bool in
            st.pending.append(s)
            guard !st.sending else { return false }
            st.sending = true
            return true
        }
        guard start else { return }
        Task { [self] in
            while true {
                try? await Task.sleep(for: Self.settleGather)
                let batch = state.withLockedValue { st -> [QuotaSettlement] in
                    defer { st.pending = [] }
                    if st.pending.isEmpty { st.sending = false }
                    return st.pending
                }
                if batch.isEmpty { return }
                do {
                    try await shared.settle(batch: batch)
                } catch {
                    keepUnsettled(batch, error)
                }
            }
        }
    }

    private func keepUnsettled(_ batch: [QuotaSettlement], _ error: any Error) {
        let dropped = state.withLockedValue { st -> Int in
            st.unsettled.append(contentsOf: batch)
            let over = st.unsettled.count - Self.maxUnsettled
            if over > 0 { st.unsettled.removeFirst(over) }
            return max(0, over)
        }
        storeFailed(error)
        if dropped > 0 { logger.error("governance: \(dropped) settlements dropped while the store was unreachable") }
    }

    func retryUnsettled() async {
        guard let shared else { return }
        let batch = state.withLockedValue { st in
            defer { st.unsettled.removeAll() }
            return st.unsettled
        }
        guard !batch.isEmpty else { return }
        do {
            try await shared.settle(batch: batch)
        } catch {
            keepUnsettled(batch, error)
        }
    }

    /// A store call failed; logged at most once a second so an outage does not flood the log.
    func storeFailed(_ error: any Error) {
        let t = ContinuousClock.now
        let log = lastFailureLog.withLockedValue { last -> Bool in
            if let l = last, t - l < .seconds(1) { return false }
            last = t
            return true
        }
        if log { logger.error("governance: the store cannot be reached: \(error)") }
    }

    private let lastFailureLog = NIOLockedValueBox<ContinuousClock.Instant?>(nil)

    /// The cell for a key name, made (and seeded, if loading is done) on first use. Called at
    /// config load, never per request.
    func cell(_ name: String) -> KeyCell {
        state.withLockedValue { s in
            if let c = s.cells[name] { return c }
            let c = KeyCell()
            if let stored = s.stored {
                let limits = s.storedLimits[name] ?? []
                c.usage.withLockedValue { $0.seed(stored[name] ?? [], limits: limits) }
            }
            s.cells[name] = c
            return c
        }
    }

    /// Writes every changed counter in one batch. On failure they stay marked and go next time.
    func flush() async {
        guard let store else { return }
        let cells = state.withLockedValue { $0.cells }
        var batch: [(KeyCell, [UsageCounter])] = []
        var limits: [(KeyCell, [RateLimitState])] = []
        for (name, cell) in cells {
            let (rows, l) = cell.usage.withLockedValue { ($0.takeDirty(subject: name), $0.takeDirtyLimits(subject: name)) }
            if !rows.isEmpty { batch.append((cell, rows)) }
            if !l.isEmpty { limits.append((cell, l)) }
        }
        if !batch.isEmpty {
            do {
                try await store.saveCounters(batch.flatMap(\.1))
            } catch {
                logger.error("governance: cannot save usage counters (will retry): \(error)")
                for (cell, rows) in batch { cell.usage.withLockedValue { $0.markDirty(rows) } }
            }
        }
        if !limits.isEmpty {
            do {
                try await store.saveRateLimits(limits.flatMap(\.1))
            } catch {
                logger.error("governance: cannot save rate-limit state (will retry): \(error)")
                for (cell, _) in limits { cell.usage.withLockedValue { $0.limitsDirty = true } }
            }
        }
    }

    /// Stops the periodic flush and writes what is left; called at shutdown, after the drain.
    func stop() async {
        let task = flusher.withLockedValue { t in
            defer { t = nil }
            return t
        }
        task?.cancel()
        await task?.value
        await flush()
        // The last requests' settlements (the drain has ended every request), briefly.
        let deadline = ContinuousClock.now + .seconds(3)
        while state.withLockedValue({ $0.sending }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        await retryUnsettled()
    }
}
