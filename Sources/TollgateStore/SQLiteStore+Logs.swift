import Foundation
import SQLiteNIO

/// The request log table: appended in batches by telemetry's writer, read by the admin API.
extension SQLiteStore {
    public func appendLogs(_ rows: [RequestLogRow]) async throws {
        guard !rows.isEmpty else { return }
        try await transaction { db in
            for r in rows {
                _ = try await db.query("""
                    INSERT INTO request_logs
                    (time, request_id, route, virtual_key, provider, model, status, latency_ms, ttft_ms,
                     input_tokens, output_tokens, cost_usd, error, stream, request_body, response_body, cache)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [
                        .time(r.time), .text(r.requestID), .text(r.route), .optional(r.virtualKey),
                        .optional(r.provider), .optional(r.model), .int(r.status), .float(r.latencyMs),
                        .optional(r.ttftMs), .int(r.inputTokens), .int(r.outputTokens), .optional(r.costUSD),
                        .optional(r.error), .int(r.stream ? 1 : 0), .optional(r.requestBody), .optional(r.responseBody),
                        .optional(r.cache),
                    ])
            }
        }
    }

    public func queryLogs(_ query: LogQuery) async throws -> [RequestLogRow] {
        var clauses: [String] = []
        var binds: [SQLiteData] = []
        if let v = query.virtualKey { clauses.append("virtual_key = ?"); binds.append(.text(v)) }
        if let m = query.model { clauses.append("model = ?"); binds.append(.text(m)) }
        if let s = query.status { clauses.append("status = ?"); binds.append(.int(s)) }
        if let since = query.since { clauses.append("time >= ?"); binds.append(.time(since)) }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        binds.append(.int(max(0, query.limit)))
        binds.append(.int(max(0, query.offset)))
        let rows = try await read(
            "SELECT * FROM request_logs \(whereSQL) ORDER BY time DESC, id DESC LIMIT ? OFFSET ?", binds)
        return rows.map { r in
            RequestLogRow(
                time: r.date("time") ?? Date(timeIntervalSince1970: 0), requestID: r.text("request_id") ?? "",
                route: r.text("route") ?? "", virtualKey: r.text("virtual_key"), provider: r.text("provider"),
                model: r.text("model"), status: r.int("status") ?? 0, latencyMs: r.double("latency_ms") ?? 0,
                ttftMs: r.double("ttft_ms"), inputTokens: r.int("input_tokens") ?? 0,
                outputTokens: r.int("output_tokens") ?? 0, costUSD: r.double("cost_usd"), error: r.text("error"),
                stream: (r.int("stream") ?? 0) != 0, requestBody: r.text("request_body"),
                responseBody: r.text("response_body"), cache: r.text("cache"))
        }
    }

    public func deleteLogs(before: Date) async throws {
        try await transaction { db in
            _ = try await db.query("DELETE FROM request_logs WHERE time < ?", [.time(before)])
        }
    }
}
