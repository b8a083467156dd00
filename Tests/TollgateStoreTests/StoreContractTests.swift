import Foundation
import Logging
import NIOPosix
import SQLiteNIO
import Testing
@testable import TollgateStore

/// The same contract for every backend: what one stores, the other stores the same way.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory, sqlite, postgres
    var testDescription: String { rawValue }

    func open() async throws -> (any Store, cleanup: @Sendable () -> Void) {
        switch self {
        case .memory:
            return (MemoryStore(), {})
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let s = try await SQLiteStore.open(
                path: dir.appendingPathComponent("t.db").path, on: MultiThreadedEventLoopGroup.singleton.any(),
                logger: .init(label: "test"))
            return (s, { try? FileManager.default.removeItem(at: dir) })
        case .postgres:
            let s = try await PostgresStore.open(
                url: try await PostgresCluster.shared().freshDatabase(), group: MultiThreadedEventLoopGroup.singleton,
                logger: .init(label: "test"))
            return (s, { Task { try? await s.close() } })
        }
    }
}

/// Whole seconds survive a REAL column exactly.
func at(_ seconds: Int) -> Date { Date(timeIntervalSince1970: TimeInterval(1_800_000_000 + seconds)) }

@Suite struct StoreContractTests {
    @Test(arguments: Backend.allCases)
    func countersUpsertByIdentity(_ backend: Backend) async throws {
        let (store, cleanup) = try await backend.open()
        defer { cleanup() }
        let a = UsageCounter(subject: "team-a", window: "budget:1d", windowStart: 86400, requests: 1, inputTokens: 10, outputTokens: 5, costUSD: 0.25)
        let b = UsageCounter(subject: "team-b", window: "total", windowStart: 0, requests: 2)
        try await store.saveCounters([a, b])
        var a2 = a
        a2.requests = 7
        a2.costUSD = 1.5
        try await store.saveCounters([a2])
        let all = try await store.loadCounters()
        #expect(all == [a2, b])
        try await store.close()
    }

    @Test(arguments: Backend.allCases)
    func emptyBatchesAreFine(_ backend: Backend) async throws {
        let (store, cleanup) = try await backend.open()
        defer { cleanup() }
        try await store.saveCounters([])
        try await store.appendLogs([])
        #expect(try await store.loadCounters().isEmpty)
        #expect(try await store.queryLogs(LogQuery()).isEmpty)
        try await store.close()
    }

    @Test(arguments: Backend.allCases)
    func logsNewestFirstWithFilters(_ backend: Backend) async throws {
        let (store, cleanup) = try await backend.open()
        defer { cleanup() }
        let rows = (0..<6).map { i in
            RequestLogRow(
                time: at(i), requestID: "r\(i)", route: "chat", virtualKey: i % 2 == 0 ? "team-a" : nil,
                provider: "openai", model: i < 3 ? "gpt-4o" : "gpt-4o-mini", status: i == 5 ? 429 : 200,
                latencyMs: Double(i), ttftMs: i == 0 ? nil : 1.5, inputTokens: i, outputTokens: 2 * i,
                costUSD: i == 1 ? nil : 0.001, error: i == 5 ? "slow down" : nil, stream: i == 4,
                requestBody: i == 2 ? "{\"a\":1}" : nil, responseBody: nil)
        }
        try await store.appendLogs(Array(rows[0..<3]))
        try await store.appendLogs(Array(rows[3...]))
        #expect(try await store.queryLogs(LogQuery()) == rows.reversed())
        #expect(try await store.queryLogs(LogQuery(virtualKey: "team-a")).map(\.requestID) == ["r4", "r2", "r0"])
        #expect(try await store.queryLogs(LogQuery(model: "gpt-4o-mini", status: 200)).map(\.requestID) == ["r4", "r3"])
        #expect(try await store.queryLogs(LogQuery(since: at(4))).map(\.requestID) == ["r5", "r4"])
        #expect(try await store.queryLogs(LogQuery(limit: 2, offset: 1)).map(\.requestID) == ["r4", "r3"])
        try await store.deleteLogs(before: at(3))
        #expect(try await store.queryLogs(LogQuery()).map(\.requestID) == ["r5", "r4", "r3"])
        try await store.close()
    }

    @Test(arguments: Backend.allCases)
    func jobsRoundTripAndExpire(_ backend: Backend) async throws {
        let (store, cleanup) = try await backend.open()
        defer { cleanup() }
        let pending = AsyncJob(
            id: "j1", owner: "team-a", routeID: "chat", uri: "/v1/chat/completions?x=1",
            headers: [["content-type", "application/json"], ["x-bf-async", "true"]], body: Array("{\"model\":\"m\"}".utf8),
            createdAt: at(0), ttlSeconds: 60)
        var done = AsyncJob(id: "j2", owner: nil, routeID: "chat", uri: "/v1/chat/completions", headers: [], body: [], createdAt: at(1))
        done.state = .done
        done.resultStatus = 200
        done.resultBody = [0, 1, 2, 255]
        done.finishedAt = at(10)
        done.ttlSeconds = 5
        var running = pending
        running.id = "j3"
        running.state = .running
        running.createdAt = at(2)
        for j in [pending, done, running] { try await store.putJob(j) }

        #expect(try await store.job(id: "j1") == pending)
        #expect(try await store.job(id: "j2") == done)
        #expect(try await store.job(id: "nope") == nil)
        #expect(try await store.claimableJobs(worker: "w").map(\.id) == ["j1", "j3"])

        var finished = pending
        finished.state = .failed
        finished.resultStatus = 502
        finished.finishedAt = at(20)
        try await store.putJob(finished)  // replaces by id
        #expect(try await store.claimableJobs(worker: "w").map(\.id) == ["j3"])

        // j2 expires at 15, j1 (failed) at 80; unfinished jobs never expire.
        try await store.deleteJobs(expiredBefore: at(16))
        #expect(try await store.job(id: "j2") == nil)
        #expect(try await store.job(id: "j1") == finished)
        #expect(try await store.job(id: "j3") == running)
        try await store.close()
    }
}

@Suite struct SQLiteStoreTests {
    @Test func countersSurviveReopen() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-reopen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.db").path
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let c = UsageCounter(subject: "k", window: "budget:30d", windowStart: 1_800_000_000, requests: 3, inputTokens: 30, outputTokens: 9, costUSD: 0.125)
        let s1 = try await SQLiteStore.open(path: path, on: loop, logger: .init(label: "t"))
        try await s1.saveCounters([c])
        try await s1.close()
        let s2 = try await SQLiteStore.open(path: path, on: loop, logger: .init(label: "t"))
        #expect(try await s2.loadCounters() == [c])
        let mode = try await s2.read("PRAGMA journal_mode").first?.column("journal_mode")?.string
        #expect(mode == "wal")
        try await s2.close()
    }

    @Test func concurrentBatchesDoNotInterleave() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-conc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try await SQLiteStore.open(
            path: dir.appendingPathComponent("t.db").path, on: MultiThreadedEventLoopGroup.singleton.any(), logger: .init(label: "t"))
        try await withThrowingTaskGroup(of: Void.self) { g in
            for batch in 0..<8 {
                g.addTask {
                    let rows = (0..<25).map { i in
                        RequestLogRow(time: at(batch * 100 + i), requestID: "b\(batch)-\(i)", route: "r", status: 200, latencyMs: 1)
                    }
                    try await s.appendLogs(rows)
                }
                g.addTask {
                    try await s.saveCounters([UsageCounter(subject: "k\(batch)", window: "total", windowStart: 0, requests: Int64(batch))])
                }
            }
            try await g.waitForAll()
        }
        #expect(try await s.queryLogs(LogQuery(limit: 1000)).count == 200)
        #expect(try await s.loadCounters().count == 8)
        try await s.close()
    }

    @Test func unopenablePathIsAClearError() async throws {
        await #expect(throws: (any Error).self) {
            _ = try await SQLiteStore.open(
                path: "/nonexistent-dir-\(UUID().uuidString)/x.db", on: MultiThreadedEventLoopGroup.singleton.any(),
                logger: .init(label: "t"))
        }
    }
}
