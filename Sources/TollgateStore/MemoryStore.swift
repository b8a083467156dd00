import Foundation

/// A store that lives only as long as the process (`store: memory`, and tests). It keeps the
/// same semantics as `SQLiteStore`, so tests written against one hold for the other.
public actor MemoryStore: Store {
    private var counters: [CounterKey: UsageCounter] = [:]
    /// Oldest first; queries read it backwards.
    private var logs: [RequestLogRow] = []
    private var jobs: [String: AsyncJob] = [:]
    /// Job id → the worker running it.
    private var leases: [String: String] = [:]
    private var rateLimits: [String: RateLimitState] = [:]
    public nonisolated var kind: String { "memory" }
    /// Request-log rows kept: the newest ones. Unlike a database, this one is the process's own
    /// memory, and a gateway under load writes thousands of rows a second.
    public let maxLogRows: Int

    public init(maxLogRows: Int = 20_000) {
        self.maxLogRows = max(1, maxLogRows)
    }

    public func loadCounters() -> [UsageCounter] {
        counters.values.sorted { ($0.subject, $0.window, $0.windowStart) < ($1.subject, $1.window, $1.windowStart) }
    }

    public func saveCounters(_ batch: [UsageCounter]) {
        for c in batch { counters[CounterKey(c)] = c }
    }

    public func appendLogs(_ rows: [RequestLogRow]) {
        logs.append(contentsOf: rows)
        // Trimmed in steps of a quarter, so that removing from the front stays amortised O(1).
        if logs.count > maxLogRows + maxLogRows / 4 { logs.removeFirst(logs.count - maxLogRows) }
    }

    /// Rows held now (for tests): at most `maxLogRows` plus a quarter.
    public var logCount: Int { logs.count }

    public func queryLogs(_ query: LogQuery) -> [RequestLogRow] {
        var out: [RequestLogRow] = []
        var skipped = 0
        for row in logs.reversed() where query.matches(row) {
            if skipped < query.offset {
                skipped += 1
                continue
            }
            if out.count >= query.limit { break }
            out.append(row)
        }
        return out
    }

    public func deleteLogs(before: Date) {
        logs.removeAll { $0.time < before }
    }

    public func putJob(_ job: AsyncJob) {
        jobs[job.id] = job
    }

    public func job(id: String) -> AsyncJob? { jobs[id] }

    public func claimableJobs(worker: String) -> [AsyncJob] {
        jobs.values.filter { claimable($0, by: worker) }.sorted { $0.createdAt < $1.createdAt }
    }

    public func claimJob(id: String, worker: String, leaseSeconds: Double) -> AsyncJob? {
        guard var job = jobs[id], claimable(job, by: worker) else { return nil }
        job.state = .running
        jobs[id] = job
        leases[id] = worker
        return job
    }

    public func renewJobLease(id: String, worker: String, leaseSeconds: Double) -> Bool {
        jobs[id]?.state == .running && leases[id] == worker
    }

    public func finishJob(_ job: AsyncJob, worker: String) -> Bool {
        guard renewJobLease(id: job.id, worker: worker, leaseSeconds: 0) else { return false }
        jobs[job.id] = job
        leases[job.id] = nil
        return true
    }

    private func claimable(_ job: AsyncJob, by worker: String) -> Bool {
        job.state == .pending || (job.state == .running && leases[job.id] != worker)
    }

    public func loadRateLimits() -> [RateLimitState] { Array(rateLimits.values) }

    public func saveRateLimits(_ states: [RateLimitState]) {
        for st in states { rateLimits[st.subject + "\u{0}" + st.kind] = st }
    }

    public func deleteJobs(expiredBefore: Date) {
        jobs = jobs.filter { _, job in
            guard let expires = job.expiresAt else { return true }
            return expires >= expiredBefore
        }
    }

    public func close() {}
}

/// A counter's identity: one row per subject, window and window start.
struct CounterKey: Hashable {
    var subject: String
    var window: String
    var windowStart: Int64
    init(_ c: UsageCounter) {
        subject = c.subject
        window = c.window
        windowStart = c.windowStart
    }
}

extension LogQuery {
    /// The filter both backends apply (the SQL one in its WHERE clause).
    func matches(_ row: RequestLogRow) -> Bool {
        if let v = virtualKey, row.virtualKey != v { return false }
        if let m = model, row.model != m { return false }
        if let s = status, row.status != s { return false }
        if let since, row.time < since { return false }
        return true
    }
}
