import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import TollgateConfig
import TollgateCore
import TollgateStore

@testable import TollgatePlugins

/// A Store in memory for telemetry and async tests only (the real memory and SQLite backends
/// live with governance). Counters are not needed here.
final class TelemetryTestStore: Store {
    private let box = NIOLockedValueBox<(logs: [RequestLogRow], jobs: [String: AsyncJob], appends: Int)>(([], [:], 0))

    var logs: [RequestLogRow] { box.withLockedValue { $0.logs } }
    var appendCalls: Int { box.withLockedValue { $0.appends } }
    var jobs: [String: AsyncJob] { box.withLockedValue { $0.jobs } }

    func loadCounters() async throws -> [UsageCounter] { [] }
    func saveCounters(_ counters: [UsageCounter]) async throws {}

    func appendLogs(_ rows: [RequestLogRow]) async throws {
        box.withLockedValue {
            $0.logs += rows
            $0.appends += 1
        }
    }

    func queryLogs(_ q: LogQuery) async throws -> [RequestLogRow] {
        let rows = box.withLockedValue { $0.logs }.reversed().filter { r in
            (q.virtualKey == nil || r.virtualKey == q.virtualKey) && (q.model == nil || r.model == q.model)
                && (q.status == nil || r.status == q.status) && (q.since.map { r.time >= $0 } ?? true)
        }
        return Array(rows.dropFirst(q.offset).prefix(q.limit))
    }

    func deleteLogs(before: Date) async throws {
        box.withLockedValue { $0.logs.removeAll { $0.time < before } }
    }

    func putJob(_ job: AsyncJob) async throws { box.withLockedValue { $0.jobs[job.id] = job } }
    func job(id: String) async throws -> AsyncJob? { box.withLockedValue { $0.jobs[id] } }
    func claimableJobs(worker: String) async throws -> [AsyncJob] {
        box.withLockedValue { Array($0.jobs.values.filter { $0.state == .pending || $0.state == .running }) }
    }
    func claimJob(id: String, worker: String, leaseSeconds: Double) async throws -> AsyncJob? {
        box.withLockedValue { s in
            guard var j = s.jobs[id], j.state == .pending || j.state == .running else { return nil }
            j.state = .running
            s.jobs[id] = j
            return j
        }
    }
    func renewJobLease(id: String, worker: String, leaseSeconds: Double) async throws -> Bool { true }
    func finishJob(_ job: AsyncJob, worker: String) async throws -> Bool {
        box.withLockedValue { $0.jobs[job.id] = job }
        return true
    }
    func loadRateLimits() async throws -> [RateLimitState] { [] }
    func saveRateLimits(_ states: [RateLimitState]) async throws {}
    var kind: String { "test" }
    func deleteJobs(expiredBefore: Date) async throws {
        box.withLockedValue { s in s.jobs = s.jobs.filter { ($0.value.expiresAt ?? .distantFuture) >= expiredBefore } }
    }
    func close() async throws {}
}

/// Collects log lines so tests can read what the access log wrote.
final class TelemetryLogCapture: Sendable {
    let lines = NIOLockedValueBox<[(message: String, metadata: Logger.Metadata)]>([])

    var logger: Logger {
        Logger(label: "test") { _ in Handler(capture: self) }
    }

    struct Handler: LogHandler {
        let capture: TelemetryLogCapture
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            capture.lines.withLockedValue { $0.append((event.message.description, event.metadata ?? [:])) }
        }
    }
}

/// A gateway runtime built from YAML, with the real plugin factories, for phase tests.
struct TelemetryHarness {
    let services: GatewayServices
    let runtime: GatewayRuntime
    let store: TelemetryTestStore
    let capture = TelemetryLogCapture()
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    init(_ yaml: String, store: TelemetryTestStore = TelemetryTestStore(), withStore: Bool = true) throws {
        self.store = store
        services = GatewayServices(group: Self.group, pools: nil, logger: capture.logger, store: withStore ? store : nil)
        let config = try ConfigLoader.parse(yaml: yaml, file: "r.yaml", baseDirectory: "/tmp", environment: [:], sections: PluginRegistry.sections)
        runtime = try GatewayRuntime.build(config: config, services: services, factories: PluginRegistry.factories, environment: [:])
    }

    var loop: any EventLoop { Self.group.next() }

    func route(_ id: String) -> Route? { runtime.router.routes.first { $0.id == id } }

    func context(
        route id: String, body: String = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#,
        headers: [(String, String)] = []
    ) -> RequestContext? {
        guard let r = route(id) else { return nil }
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: r.uri, headers: HTTPHeaders(headers))
        return RequestContext(requestID: "req-1", head: head, body: ByteBuffer(string: body), route: r, eventLoop: loop, runtime: runtime)
    }

    func plugin<P: Plugin>(_ type: P.Type, route id: String) -> P? {
        route(id)?.plugins.lazy.compactMap { $0 as? P }.first
    }
}

/// Resolves a phase result that may be waiting on a future.
func telemetryResolve(_ r: PhaseResult) async throws -> PhaseResult {
    if case .wait(let f) = r { return try await telemetryResolve(f.get()) }
    return r
}

extension PhaseResult {
    /// The direct answer's status and body, if this result is one.
    var answer: (status: Int, body: String)? {
        guard case .respond(let g) = self else { return nil }
        switch g {
        case .error(let e): return (e.status, e.message)
        case .json(let s, let b, _): return (Int(s.code), String(decoding: b, as: UTF8.self))
        }
    }
}

let telemetryRoutesYAML = """
    virtual_keys:
      - {key: sk-vk-secret-a, name: team-a}
    routes:
      - id: chat
        uri: /v1/chat/completions
        plugins:
          - async: {ttl_seconds: 60}
          - telemetry: {}
          - ai-proxy: {surface: openai-chat}
      - id: chat-payloads
        uri: /p/v1/chat/completions
        plugins:
          - telemetry: {log_payloads: true, retention_days: 3}
          - ai-proxy: {surface: openai-chat}
      - id: responses
        uri: /v1/responses
        plugins:
          - async: {}
          - ai-proxy: {surface: openai-responses}
      - id: messages
        uri: /anthropic/v1/messages
        plugins:
          - async: {}
          - ai-proxy: {surface: anthropic-messages}
    """
