import Foundation

/// Where state that must outlive a reload or a restart lives: usage counters, rate-limit state,
/// request logs, async jobs. Plugins talk to this protocol only; the PostgreSQL backend adds
/// `sharedQuota` for fleets. Every call is async and off the request path, except a fleet's
/// quota decision (one round trip, see `SharedQuota`): plugins batch writes in memory and flush
/// from a background task.
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

    // MARK: rate-limit state (governance), so a restart does not hand out a fresh minute

    func loadRateLimits() async throws -> [RateLimitState]
    /// Inserts or replaces by (`subject`, `kind`).
    func saveRateLimits(_ states: [RateLimitState]) async throws

    // MARK: async jobs

    /// Inserts or replaces a job by id.
    func putJob(_ job: AsyncJob) async throws
    func job(id: String) async throws -> AsyncJob?
    /// Jobs a worker may take now: pending ones, and running ones whose holder is gone (its
    /// lease expired; on an embedded store, any holder but the asking worker, since the file
    /// belongs to one process).
    func claimableJobs(worker: String) async throws -> [AsyncJob]
    /// Takes a job to run, atomically: nil unless it is claimable by `worker` (see above). The
    /// job comes back `running`, held by `worker` for `leaseSeconds`.
    func claimJob(id: String, worker: String, leaseSeconds: Double) async throws -> AsyncJob?
    /// Extends a held lease; false when the job is no longer held by `worker`.
    func renewJobLease(id: String, worker: String, leaseSeconds: Double) async throws -> Bool
    /// Stores a finished job's result if `worker` still holds it; false when another took it
    /// over (its result then wins, so a client never sees two).
    func finishJob(_ job: AsyncJob, worker: String) async throws -> Bool
    func deleteJobs(expiredBefore: Date) async throws

    // MARK: fleet

    /// The authority for limits and budgets when several gateways share the store; nil for the
    /// embedded stores, whose single process decides in memory.
    var sharedQuota: (any SharedQuota)? { get }
    /// The cache plugin's stored answers, where this store keeps them (SQLite, PostgreSQL).
    var answerCache: (any AnswerCache)? { get }
    /// Answers when the store can be reached (a cheap round trip); throws otherwise.
    func ping() async throws
    /// What `/health` calls this backend.
    var kind: String { get }

    /// Flushes pending writes and closes; called once at shutdown.
    func close() async throws
}

extension Store {
    public var sharedQuota: (any SharedQuota)? { nil }
    public var answerCache: (any AnswerCache)? { nil }
    public func ping() async throws {}
}

/// A rate limiter's state, as `RateLimiter` keeps it: when its bucket would be empty again.
public struct RateLimitState: Sendable, Equatable {
    public var subject: String
    /// "requests" or "tokens".
    public var kind: String
    /// Unix seconds.
    public var theoreticalArrival: Double

    public init(subject: String, kind: String, theoreticalArrival: Double) {
        self.subject = subject
        self.kind = kind
        self.theoreticalArrival = theoreticalArrival
    }
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
    /// The cache plugin's verdict: `hit` or `miss`; nil where no cache ran.
    public var cache: String?

    public init(
        time: Date, requestID: String, route: String, virtualKey: String? = nil, provider: String? = nil,
        model: String? = nil, status: Int, latencyMs: Double, ttftMs: Double? = nil, inputTokens: Int = 0,
        outputTokens: Int = 0, costUSD: Double? = nil, error: String? = nil, stream: Bool = false,
        requestBody: String? = nil, responseBody: String? = nil, cache: String? = nil
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
        self.cache = cache
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
