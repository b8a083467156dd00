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
    }

    private let state = NIOLockedValueBox(State())
    private let store: (any Store)?
    private let logger: Logger
    private let readyPromise: EventLoopPromise<Void>
    private let flusher = NIOLockedValueBox<Task<Void, Never>?>(nil)

    /// Completes once stored counters are in; requests that come before wait for it.
    var ready: EventLoopFuture<Void> { readyPromise.futureResult }

    static let sharedKey = "governance.ledger"

    init(store: (any Store)?, eventLoop: any EventLoop, logger: Logger) {
        self.store = store
        self.logger = logger
        self.readyPromise = eventLoop.makePromise()
    }

    /// Loads the stored counters and starts the periodic flush. Called once, by whoever
    /// creates the ledger.
    func start(flushInterval: Duration = .seconds(1)) {
        guard let store else {
            finishLoading([])
            return
        }
        let logger = self.logger
        let task = Task { [self] in
            do {
                finishLoading(try await store.loadCounters())
            } catch {
                logger.error("governance: cannot load usage counters, starting from zero: \(error)")
                finishLoading([])
            }
            while !Task.isCancelled {
                try? await Task.sleep(for: flushInterval)
                await flush()
            }
        }
        flusher.withLockedValue { $0 = task }
    }

    private func finishLoading(_ counters: [UsageCounter]) {
        let bySubject = Dictionary(grouping: counters, by: \.subject)
        state.withLockedValue { s in
            s.stored = bySubject
            for (name, cell) in s.cells {
                cell.usage.withLockedValue { $0.seed(bySubject[name] ?? []) }
            }
        }
        readyPromise.succeed()
    }

    /// The cell for a key name, made (and seeded, if loading is done) on first use. Called at
    /// config load, never per request.
    func cell(_ name: String) -> KeyCell {
        state.withLockedValue { s in
            if let c = s.cells[name] { return c }
            let c = KeyCell()
            if let stored = s.stored {
                c.usage.withLockedValue { $0.seed(stored[name] ?? []) }
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
        for (name, cell) in cells {
            let rows = cell.usage.withLockedValue { $0.takeDirty(subject: name) }
            if !rows.isEmpty { batch.append((cell, rows)) }
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.saveCounters(batch.flatMap(\.1))
        } catch {
            logger.error("governance: cannot save usage counters (will retry): \(error)")
            for (cell, rows) in batch { cell.usage.withLockedValue { $0.markDirty(rows) } }
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
    }
}
