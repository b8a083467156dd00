import Foundation

/// Where state that must outlive a reload or a restart lives: usage counters, request logs,
/// async jobs. Plugins talk to this protocol only, so a PostgreSQL backend slots in beside the
/// embedded SQLite one without touching them. Every call is async and off the request path:
/// plugins batch writes in memory and flush from a background task.
public protocol Store: Sendable {
    // MARK: usage counters (governance budgets)

    /// Every stored counter, read once at start so budgets carry over restarts.
    func loadCounters() async throws -> [UsageCounter]
    /// Inserts or replaces counters by (`subject`, `window`, `windowStart`).
    func saveCounters(_ counters: [UsageCounter]) async throws

    // MARK: request log (telemetry)

    func appendLogs(_ rows: [RequestLogRow]) async throws
    /// Newest first.
    func queryLogs(_ query: LogQuery) async throws -> [RequestLogRow]
    func deleteLogs(before: Date) async throws

    // MARK: async jobs

    /// Inserts or replaces a job by id.
    func putJob(_ job: AsyncJob) async throws
    func job(id: String) async throws -> AsyncJob?
    /// Jobs still `pending` or `running` (a restart re-runs them).
    func unfinishedJobs() async throws -> [AsyncJob]
    func deleteJobs(expiredBefore: Date) async throws

    /// Flushes pending writes and closes; called once at shutdown.
    func close() async throws
}

/// Spend and usage of one subject (a virtual key name) over one window.
public struct UsageCounter: Sendable, Equatable {
    public var subject: String
    /// What the window is for, e.g. "budget:30d".
    public var window: String
    /// Unix seconds at which the window began.
    public var windowStart: Int64
    public var requests: Int64
    public var inputTokens: Int64
    public var outputTokens: Int64
    public var costUSD: Double

    public init(subject: String, window: String, windowStart: Int64, requests: Int64 = 0, inputTokens: Int64 = 0, outputTokens: Int64 = 0, costUSD: Double = 0) {
        self.subject = subject
        self.window = window
        self.windowStart = windowStart
        self.requests = requests
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.costUSD = costUSD
    }
}

/// One request as the request log keeps it. Never holds a secret: virtual keys by name only,
/// payloads (when kept at all) with credentials redacted.
public struct RequestLogRow: Sendable, Equatable {
    public var time: Date
    public var requestID: String
    public var route: String
    public var virtualKey: String?
    public var provider: String?
    public var model: String?
    public var status: Int
    public var latencyMs: Double
    public var ttftMs: Double?
    public var inputTokens: Int
    public var outputTokens: Int
    public var costUSD: Double?
    public var error: String?
    public var stream: Bool
    public var requestBody: String?
    public var responseBody: String?

    public init(
        time: Date, requestID: String, route: String, virtualKey: String? = nil, provider: String? = nil,
        model: String? = nil, status: Int, latencyMs: Double, ttftMs: Double? = nil, inputTokens: Int = 0,
        outputTokens: Int = 0, costUSD: Double? = nil, error: String? = nil, stream: Bool = false,
        requestBody: String? = nil, responseBody: String? = nil
    ) {
        self.time = time
        self.requestID = requestID
        self.route = route
        self.virtualKey = virtualKey
        self.provider = provider
        self.model = model
        self.status = status
        self.latencyMs = latencyMs
        self.ttftMs = ttftMs
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.costUSD = costUSD
        self.error = error
        self.stream = stream
        self.requestBody = requestBody
        self.responseBody = responseBody
    }
}

public struct LogQuery: Sendable, Equatable {
    public var virtualKey: String?
    public var model: String?
    public var status: Int?
    public var since: Date?
    public var limit: Int
    public var offset: Int
    public init(virtualKey: String? = nil, model: String? = nil, status: Int? = nil, since: Date? = nil, limit: Int = 100, offset: Int = 0) {
        self.virtualKey = virtualKey
        self.model = model
        self.status = status
        self.since = since
        self.limit = limit
        self.offset = offset
    }
}

/// An async inference job (spec section 9): the request as submitted, then its result.
public struct AsyncJob: Sendable, Equatable {
    public enum State: String, Sendable {
        case pending, running, done, failed
    }

    public var id: String
    /// The submitting virtual key's name; only it may poll. Nil when the route has no governance.
    public var owner: String?
    public var routeID: String
    /// Request path and query, and the headers needed to replay it (no credentials).
    public var uri: String
    public var headers: [[String]]
    public var body: [UInt8]
    public var state: State
    public var resultStatus: Int?
    public var resultBody: [UInt8]?
    public var createdAt: Date
    public var finishedAt: Date?
    public var ttlSeconds: Int

    public init(
        id: String, owner: String?, routeID: String, uri: String, headers: [[String]], body: [UInt8],
        state: State = .pending, resultStatus: Int? = nil, resultBody: [UInt8]? = nil, createdAt: Date = Date(),
        finishedAt: Date? = nil, ttlSeconds: Int = 3600
    ) {
        self.id = id
        self.owner = owner
        self.routeID = routeID
        self.uri = uri
        self.headers = headers
        self.body = body
        self.state = state
        self.resultStatus = resultStatus
        self.resultBody = resultBody
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.ttlSeconds = ttlSeconds
    }

    /// When a finished job's result stops being served.
    public var expiresAt: Date? { finishedAt.map { $0.addingTimeInterval(TimeInterval(ttlSeconds)) } }
}
