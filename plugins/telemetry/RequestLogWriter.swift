import Foundation
import Logging
import NIOCore
import NIOConcurrencyHelpers
import Prometheus
import TollgateStore

/// Batches request-log rows: the log phase appends to an in-memory queue (a lock and an array
/// append, never a store call on the event loop), and a background task writes the queue to
/// the store every `interval`, deletes rows past the retention about hourly, and flushes what
/// is left at shutdown. One per process, shared across reloads.
final class RequestLogWriter: Sendable {
    let store: any Store
    let logger: Logger
    let interval: Duration
    /// Rows waiting past this many are dropped (and counted): a slow store must not grow
    /// memory without bound.
    let maxQueued: Int
    private let dropped: Counter?
    private let state = NIOLockedValueBox(State())

    private struct State {
        var queue: [PendingRow] = []
        var retentionDays = 7
        var task: Task<Void, Never>?
        var lastCleanup: Date = .distantPast
        var stopping = false
    }

    init(store: any Store, logger: Logger, dropped: Counter? = nil, interval: Duration = .milliseconds(500), maxQueued: Int = 50_000) {
        self.store = store
        self.logger = logger
        self.dropped = dropped
        self.interval = interval
        self.maxQueued = maxQueued
    }

    /// A row and its payloads, still raw: redaction (a JSON parse) happens in the background
    /// writer, not on the event loop that finished the request.
    struct PendingRow: Sendable {
        var row: RequestLogRow
        var requestBody: ByteBuffer?
        var responseBody: ByteBuffer?
    }

    func enqueue(_ row: RequestLogRow, requestBody: ByteBuffer? = nil, responseBody: ByteBuffer? = nil) {
        let row = PendingRow(row: row, requestBody: requestBody, responseBody: responseBody)
        let ok = state.withLockedValue { s -> Bool in
            guard s.queue.count < maxQueued else { return false }
            s.queue.append(row)
            return true
        }
        if !ok { dropped?.increment() }
    }

    /// The newest config's retention wins (telemetry entries on several routes share a writer).
    func setRetention(days: Int) { state.withLockedValue { $0.retentionDays = days } }

    var queuedCount: Int { state.withLockedValue { $0.queue.count } }

    func start() {
        state.withLockedValue { s in
            guard s.task == nil else { return }
            // Shutdown cancels this task to cut its sleep short. The store calls run in a
            // detached task, which that cancellation does not reach: a cancelled store call
            // (postgres-nio honours cancellation) would lose the batch it carries.
            s.task = Task.detached { [self] in
                while !state.withLockedValue({ $0.stopping }) {
                    try? await Task.sleep(for: interval)
                    await Task.detached { [self] in
                        await flush()
                        await cleanupIfDue()
                    }.value
                }
            }
        }
    }

    /// Writes every queued row now.
    func flush() async {
        let pending = state.withLockedValue { s -> [PendingRow] in
            defer { s.queue.removeAll(keepingCapacity: true) }
            return s.queue
        }
        guard !pending.isEmpty else { return }
        let rows = pending.map { p in
            var r = p.row
            if let b = p.requestBody { r.requestBody = PayloadRedaction.text(b) }
            if let b = p.responseBody { r.responseBody = PayloadRedaction.text(b) }
            return r
        }
        do {
            try await store.appendLogs(rows)
        } catch {
            // Kept for the next flush (a store outage delays rows, it does not lose them),
            // within the same bound as new rows.
            let kept = state.withLockedValue { s -> Int in
                let room = max(0, maxQueued - s.queue.count)
                s.queue.insert(contentsOf: rows.prefix(room).map { PendingRow(row: $0) }, at: 0)
                return min(room, rows.count)
            }
            if kept < rows.count { dropped?.increment(by: Int64(rows.count - kept)) }
            logger.error("request log: could not write \(rows.count) rows (\(kept) kept for retry): \(error)")
        }
    }

    /// Deletes rows older than the retention, at most once an hour.
    func cleanupIfDue(now: Date = Date()) async {
        let days = state.withLockedValue { s -> Int? in
            guard now.timeIntervalSince(s.lastCleanup) >= 3600 else { return nil }
            s.lastCleanup = now
            return s.retentionDays
        }
        guard let days else { return }
        do {
            try await store.deleteLogs(before: now.addingTimeInterval(-Double(days) * 86_400))
        } catch {
            logger.error("request log: retention cleanup failed: \(error)")
        }
    }

    /// Stops the background task and writes what is left; called once at shutdown.
    func shutdown() async {
        let task = state.withLockedValue { s -> Task<Void, Never>? in
            defer { s.task = nil }
            return s.task
        }
        state.withLockedValue { $0.stopping = true }
        task?.cancel()
        await task?.value
        await flush()
    }
}
