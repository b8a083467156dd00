import Foundation
import NIOHTTP1
import Testing
@testable import TollgateCore
import TollgateJSON
import TollgateStore

@testable import TollgatePlugins

@Suite struct TelemetryAdminLogsTests {
    func request(_ query: [String: String]) -> AdminRequest {
        AdminRequest(method: .GET, path: "/admin/logs", query: query, headers: HTTPHeaders(), body: [])
    }

    func seeded() async throws -> TelemetryTestStore {
        let store = TelemetryTestStore()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        try await store.appendLogs([
            RequestLogRow(time: t0, requestID: "a", route: "chat", virtualKey: "team-a", provider: "openai", model: "gpt-4o-mini", status: 200, latencyMs: 10),
            RequestLogRow(time: t0 + 60, requestID: "b", route: "chat", virtualKey: "team-b", provider: "openai", model: "gpt-4o", status: 429, latencyMs: 1, error: "budget"),
            RequestLogRow(time: t0 + 120, requestID: "c", route: "chat", virtualKey: "team-a", provider: "openai", model: "gpt-4o", status: 200, latencyMs: 20, ttftMs: 5, stream: true),
        ])
        return store
    }

    func ids(_ r: AdminResponse) throws -> [String] {
        let json = try JSON.parse(r.body)
        return json["data"]?.array?.compactMap { $0["request_id"]?.string } ?? []
    }

    @Test func filtersAndPaginates() async throws {
        let store = try await seeded()
        #expect(try ids(await AdminLogsEndpoint.handle(request([:]), store: store, writer: nil)) == ["c", "b", "a"])
        #expect(try ids(await AdminLogsEndpoint.handle(request(["vk": "team-a"]), store: store, writer: nil)) == ["c", "a"])
        #expect(try ids(await AdminLogsEndpoint.handle(request(["model": "gpt-4o", "status": "429"]), store: store, writer: nil)) == ["b"])
        #expect(try ids(await AdminLogsEndpoint.handle(request(["since": "1800000060"]), store: store, writer: nil)) == ["c", "b"])
        #expect(try ids(await AdminLogsEndpoint.handle(request(["since": "2027-01-15T08:02:00Z"]), store: store, writer: nil)) == ["c"])
        let page = await AdminLogsEndpoint.handle(request(["limit": "1", "offset": "1"]), store: store, writer: nil)
        #expect(try ids(page) == ["b"])
        let json = try JSON.parse(page.body)
        #expect(json["limit"]?.int == 1 && json["offset"]?.int == 1)
        let row = try #require(json["data"]?[0])
        #expect(row["virtual_key"]?.string == "team-b" && row["error"]?.string == "budget" && row["ttft_ms"]?.isNull == true)
    }

    @Test func rejectsBadFilters() async throws {
        let store = try await seeded()
        for q in [["status": "abc"], ["since": "yesterday"], ["limit": "0"], ["offset": "-1"], ["vkey": "x"]] {
            #expect(await AdminLogsEndpoint.handle(request(q), store: store, writer: nil).status == .badRequest)
        }
        #expect(await AdminLogsEndpoint.handle(request([:]), store: nil, writer: nil).status == .serviceUnavailable)
    }

    @Test func parsesTimes() {
        #expect(AdminLogsEndpoint.parseTime("1700000000")?.timeIntervalSince1970 == 1_700_000_000)
        #expect(AdminLogsEndpoint.parseTime("2023-11-14T22:13:20Z")?.timeIntervalSince1970 == 1_700_000_000)
        #expect(AdminLogsEndpoint.parseTime("2023-11-14T23:13:20.500+01:00")?.timeIntervalSince1970 == 1_700_000_000.5)
        #expect(AdminLogsEndpoint.parseTime("soon") == nil)
    }

    @Test func flushesQueuedRowsBeforeAnswering() async throws {
        let store = TelemetryTestStore()
        let writer = RequestLogWriter(store: store, logger: TelemetryLogCapture().logger, interval: .seconds(3600))
        writer.enqueue(RequestLogRow(time: Date(), requestID: "q", route: "chat", status: 200, latencyMs: 1))
        #expect(try ids(await AdminLogsEndpoint.handle(request([:]), store: store, writer: writer)) == ["q"])
    }

    @Test func registeredOnTheAdminRoutes() async throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        let metrics = try #require(h.services.admin.handler(for: "/metrics"))
        let m = await metrics(AdminRequest(method: .GET, path: "/metrics", query: [:], headers: HTTPHeaders(), body: []))
        #expect(m.contentType.hasPrefix("text/plain"))
        #expect(String(decoding: m.body, as: UTF8.self).contains("tollgate_requests_in_flight 0"))
        let logs = try #require(h.services.admin.handler(for: "/admin/logs"))
        #expect(try ids(await logs(request([:]))) == [])
    }

    @Test func retentionDeletesOldRowsAtMostHourly() async throws {
        let store = TelemetryTestStore()
        let now = Date()
        try await store.appendLogs([
            RequestLogRow(time: now - 10 * 86_400, requestID: "old", route: "r", status: 200, latencyMs: 1),
            RequestLogRow(time: now - 2 * 86_400, requestID: "new", route: "r", status: 200, latencyMs: 1),
        ])
        let writer = RequestLogWriter(store: store, logger: TelemetryLogCapture().logger)
        writer.setRetention(days: 3)
        await writer.cleanupIfDue(now: now)
        #expect(store.logs.map(\.requestID) == ["new"])
        writer.setRetention(days: 1)
        await writer.cleanupIfDue(now: now + 60)  // within the hour: skipped
        #expect(store.logs.map(\.requestID) == ["new"])
        await writer.cleanupIfDue(now: now + 3601)
        #expect(store.logs.isEmpty)
    }

    @Test func fullQueueDropsAndCounts() async throws {
        let store = TelemetryTestStore()
        let metrics = TelemetryMetrics()
        let writer = RequestLogWriter(store: store, logger: TelemetryLogCapture().logger, dropped: metrics.logRowsDropped, maxQueued: 2)
        for i in 0..<5 { writer.enqueue(RequestLogRow(time: Date(), requestID: "\(i)", route: "r", status: 200, latencyMs: 1)) }
        #expect(writer.queuedCount == 2)
        #expect(String(decoding: metrics.exposition(), as: UTF8.self).contains("tollgate_request_log_dropped_total 3"))
        await writer.shutdown()
        #expect(store.logs.count == 2)
    }
}
