import Foundation

/// A store that lives only as long as the process (`store: memory`, and tests). It keeps the
/// same semantics as `SQLiteStore`, so tests written against one hold for the other.
public actor MemoryStore: Store {
    private var counters: [CounterKey: UsageCounter] = [:]
    /// Oldest first; queries read it backwards.
    private var logs: [RequestLogRow] = []
    private var jobs: [String: AsyncJob] = [:]
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

    public func unfinishedJobs() -> [AsyncJob] {
        jobs.values.filter { $0.state == .pending || $0.state == .running }.sorted { $0.createdAt < $1.createdAt }
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
