import Foundation
import NIOHTTP1
import TollgateCore
import TollgateJSON
import TollgateStore

/// `GET /admin/logs?vk=&model=&status=&since=&limit=&offset=`: the request log, newest first,
/// as `{"data": [...], "limit": L, "offset": O}`. Behind `admin.token` like all of /admin/.
enum AdminLogsEndpoint {
    static let defaultLimit = 100
    static let maxLimit = 1000

    static func handle(_ req: AdminRequest, store: (any Store)?, writer: RequestLogWriter?) async -> AdminResponse {
        guard req.method == .GET else { return error(.methodNotAllowed, "use GET") }
        guard let store else { return error(.serviceUnavailable, "no store configured; the request log is off") }
        let query: LogQuery
        switch parse(req.query) {
        case .success(let q): query = q
        case .failure(let e): return error(.badRequest, e.message)
        }
        // Rows still in the write queue would be missing; write them first so the answer is
        // up to date with every request that finished before this one.
        await writer?.flush()
        do {
            let rows = try await store.queryLogs(query)
            let body = JSON.object([
                "data": .array(rows.map(json)),
                "limit": JSON(query.limit),
                "offset": JSON(query.offset),
            ])
            return AdminResponse(body: body.serialized())
        } catch {
            return self.error(.internalServerError, "could not read the request log: \(error)")
        }
    }

    struct QueryError: Error { var message: String }

    static func parse(_ q: [String: String]) -> Result<LogQuery, QueryError> {
        var query = LogQuery(limit: defaultLimit)
        for (k, v) in q {
            switch k {
            case "vk": query.virtualKey = v
            case "model": query.model = v
            case "status":
                guard let s = Int(v), (100...599).contains(s) else { return .failure(QueryError(message: "status must be an HTTP status code")) }
                query.status = s
            case "since":
                guard let d = parseTime(v) else { return .failure(QueryError(message: "since must be RFC 3339 or unix seconds")) }
                query.since = d
            case "limit":
                guard let l = Int(v), l > 0 else { return .failure(QueryError(message: "limit must be a positive integer")) }
                query.limit = min(l, maxLimit)
            case "offset":
                guard let o = Int(v), o >= 0 else { return .failure(QueryError(message: "offset must be a non-negative integer")) }
                query.offset = o
            default:
                return .failure(QueryError(message: "unknown filter '\(k)' (known: vk, model, status, since, limit, offset)"))
            }
        }
        return .success(query)
    }

    /// RFC 3339 (`2026-01-02T03:04:05Z`, fractions and offsets allowed) or unix seconds.
    static func parseTime(_ s: String) -> Date? {
        if let n = Double(s), n.isFinite { return Date(timeIntervalSince1970: n) }
        if let d = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(s) { return d }
        return try? Date.ISO8601FormatStyle().parse(s)
    }

    static func formatTime(_ d: Date) -> String {
        d.ISO8601Format(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func json(_ r: RequestLogRow) -> JSON {
        var o = JSONObject()
        o.append("time", .string(formatTime(r.time)))
        o.append("request_id", .string(r.requestID))
        o.append("route", .string(r.route))
        o.append("virtual_key", r.virtualKey.map(JSON.string) ?? .null)
        o.append("provider", r.provider.map(JSON.string) ?? .null)
        o.append("model", r.model.map(JSON.string) ?? .null)
        o.append("status", JSON(r.status))
        o.append("stream", .bool(r.stream))
        o.append("latency_ms", .double(r.latencyMs))
        o.append("ttft_ms", r.ttftMs.map(JSON.double) ?? .null)
        o.append("input_tokens", JSON(r.inputTokens))
        o.append("output_tokens", JSON(r.outputTokens))
        o.append("cost_usd", r.costUSD.map(JSON.double) ?? .null)
        o.append("error", r.error.map(JSON.string) ?? .null)
        if let c = r.cache { o.append("cache", .string(c)) }
        if let b = r.requestBody { o.append("request_body", .string(b)) }
        if let b = r.responseBody { o.append("response_body", .string(b)) }
        return .object(o)
    }

    static func error(_ status: HTTPResponseStatus, _ message: String) -> AdminResponse {
        let body = JSON.object(["error": .object(["message": .string(message)])])
        return AdminResponse(status: status, body: body.serialized())
    }
}
