import Foundation
import PostgresNIO

/// The request log, shared by the fleet: any instance's `/admin/logs` reads every instance's
/// rows. Telemetry's writer hands over batches; each batch is one multi-row INSERT.
extension PostgresStore {
    static let logColumns = 17
    /// PostgreSQL takes at most 65535 parameters in one statement.
    static let logRowsPerInsert = 1000

    public func appendLogs(_ rows: [RequestLogRow]) async throws {
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + Self.logRowsPerInsert)]
            start += chunk.count
            var binds = PostgresBindings(capacity: chunk.count * Self.logColumns)
            var values: [String] = []
            values.reserveCapacity(chunk.count)
            for (i, r) in chunk.enumerated() {
                let base = i * Self.logColumns
                values.append("(" + (1...Self.logColumns).map { "$\(base + $0)" }.joined(separator: ",") + ")")
                binds.append(r.time.timeIntervalSince1970)
                binds.append(r.requestID)
                binds.append(r.route)
                binds.append(r.virtualKey)
                binds.append(r.provider)
                binds.append(r.model)
                binds.append(Int32(clamping: r.status))
                binds.append(r.latencyMs)
                binds.append(r.ttftMs)
                binds.append(Int64(r.inputTokens))
                binds.append(Int64(r.outputTokens))
                binds.append(r.costUSD)
                binds.append(r.error)
                binds.append(r.stream)
                binds.append(r.requestBody)
                binds.append(r.responseBody)
                binds.append(r.cache)
            }
            let sql = """
                INSERT INTO request_logs (time, request_id, route, virtual_key, provider, model, status, latency_ms,
                    ttft_ms, input_tokens, output_tokens, cost_usd, error, stream, request_body, response_body, cache)
                VALUES \(values.joined(separator: ","))
                """
            try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).collect()
        }
    }

    public func queryLogs(_ query: LogQuery) async throws -> [RequestLogRow] {
        var clauses: [String] = []
        var binds = PostgresBindings()
        func bind(_ clause: String) { clauses.append(clause.replacingOccurrences(of: "?", with: "$\(binds.count)")) }
        if let v = query.virtualKey { binds.append(v); bind("virtual_key = ?") }
        if let m = query.model { binds.append(m); bind("model = ?") }
        if let s = query.status { binds.append(Int32(clamping: s)); bind("status = ?") }
        if let since = query.since { binds.append(since.timeIntervalSince1970); bind("time >= ?") }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let sql = """
            SELECT time, request_id, route, virtual_key, provider, model, status, latency_ms, ttft_ms,
                input_tokens, output_tokens, cost_usd, error, stream, request_body, response_body, cache
            FROM request_logs \(whereSQL) ORDER BY time DESC, id DESC LIMIT \(max(0, query.limit)) OFFSET \(max(0, query.offset))
            """
        var out: [RequestLogRow] = []
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        for try await row in rows {
            let r = row.makeRandomAccess()
            out.append(RequestLogRow(
                time: Date(timeIntervalSince1970: try r[0].decode(Double.self)),
                requestID: try r[1].decode(String.self), route: try r[2].decode(String.self),
                virtualKey: try r[3].decode(String?.self), provider: try r[4].decode(String?.self),
                model: try r[5].decode(String?.self), status: Int(try r[6].decode(Int32.self)),
                latencyMs: try r[7].decode(Double.self), ttftMs: try r[8].decode(Double?.self),
                inputTokens: Int(try r[9].decode(Int64.self)), outputTokens: Int(try r[10].decode(Int64.self)),
                costUSD: try r[11].decode(Double?.self), error: try r[12].decode(String?.self),
                stream: try r[13].decode(Bool.self), requestBody: try r[14].decode(String?.self),
                responseBody: try r[15].decode(String?.self), cache: try r[16].decode(String?.self)))
        }
        return out
    }

    public func deleteLogs(before: Date) async throws {
        try await client.query("DELETE FROM request_logs WHERE time < \(before.timeIntervalSince1970)", logger: logger).collect()
    }
}
