import Foundation
import Logging
import NIOCore
import SQLiteNIO

/// The embedded store (`store: sqlite:PATH`, the default): one SQLite file in WAL mode, one
/// connection whose calls run on NIO's blocking thread pool, never on an event loop.
/// Operations run one at a time (`SerialQueue`), so a batch is one transaction that no other
/// call can interleave with.
public final class SQLiteStore: Store {
    let db: SQLiteConnection
    let queue = SerialQueue()
    public let path: String

    private init(db: SQLiteConnection, path: String) {
        self.db = db
        self.path = path
    }

    /// Opens (creating if needed) the database at `path` and its tables.
    public static func open(path: String, on eventLoop: any EventLoop, logger: Logger) async throws -> SQLiteStore {
        let db = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: .singleton, logger: logger, on: eventLoop)
        do {
            for p in SQLiteSchema.pragmas { _ = try await db.query(p) }
            for s in SQLiteSchema.statements { _ = try await db.query(s) }
            for (table, column, type) in SQLiteSchema.addedColumns {
                let have = try await db.query("PRAGMA table_info(\(table))").contains { $0.column("name")?.string == column }
                if !have { _ = try await db.query("ALTER TABLE \(table) ADD COLUMN \(column) \(type)") }
            }
        } catch {
            try? await db.close()
            throw StoreError("cannot open SQLite store at \(path): \(error)")
        }
        return SQLiteStore(db: db, path: path)
    }

    /// Runs `body` in one transaction, serialized with every other operation.
    func transaction(_ body: @escaping @Sendable (SQLiteConnection) async throws -> Void) async throws {
        let db = self.db
        try await queue.run {
            _ = try await db.query("BEGIN IMMEDIATE")
            do {
                try await body(db)
                _ = try await db.query("COMMIT")
            } catch {
                _ = try? await db.query("ROLLBACK")
                throw error
            }
        }
    }

    /// A read, serialized with the writes.
    func read(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        let db = self.db
        return try await queue.run { try await db.query(sql, binds) }
    }

    // MARK: counters

    public func loadCounters() async throws -> [UsageCounter] {
        let rows = try await read("""
            SELECT subject, window, window_start, requests, input_tokens, output_tokens, cost_usd
            FROM usage_counters ORDER BY subject, window, window_start
            """)
        return rows.map { r in
            UsageCounter(
                subject: r.column("subject")?.string ?? "", window: r.column("window")?.string ?? "",
                windowStart: Int64(r.column("window_start")?.integer ?? 0),
                requests: Int64(r.column("requests")?.integer ?? 0),
                inputTokens: Int64(r.column("input_tokens")?.integer ?? 0),
                outputTokens: Int64(r.column("output_tokens")?.integer ?? 0),
                costUSD: r.column("cost_usd")?.double ?? 0)
        }
    }

    public func saveCounters(_ counters: [UsageCounter]) async throws {
        guard !counters.isEmpty else { return }
        try await transaction { db in
            for c in counters {
                _ = try await db.query("""
                    INSERT OR REPLACE INTO usage_counters
                    (subject, window, window_start, requests, input_tokens, output_tokens, cost_usd)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, [.text(c.subject), .text(c.window), .int(c.windowStart), .int(c.requests),
                          .int(c.inputTokens), .int(c.outputTokens), .float(c.costUSD)])
            }
        }
    }

    // MARK: rate limits

    public func loadRateLimits() async throws -> [RateLimitState] {
        try await read("SELECT subject, kind, theoretical_arrival FROM rate_limits").map { r in
            RateLimitState(subject: r.text("subject") ?? "", kind: r.text("kind") ?? "",
                           theoreticalArrival: r.double("theoretical_arrival") ?? 0)
        }
    }

    public func saveRateLimits(_ states: [RateLimitState]) async throws {
        guard !states.isEmpty else { return }
        try await transaction { db in
            for st in states {
                _ = try await db.query(
                    "INSERT OR REPLACE INTO rate_limits (subject, kind, theoretical_arrival) VALUES (?, ?, ?)",
                    [.text(st.subject), .text(st.kind), .float(st.theoreticalArrival)])
            }
        }
    }

    public var kind: String { "sqlite" }

    public func close() async throws {
        let db = self.db
        try await queue.run { try await db.close() }
    }
}

/// A store that cannot do what was asked (open, an unsupported backend), in words for the log.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension SQLiteData {
    static func int(_ v: Int64) -> SQLiteData { .integer(SQLiteInt64(v)) }
    static func int(_ v: Int) -> SQLiteData { .integer(SQLiteInt64(v)) }
    static func optional(_ v: String?) -> SQLiteData { v.map { .text($0) } ?? .null }
    static func optional(_ v: Double?) -> SQLiteData { v.map { .float($0) } ?? .null }
    static func optional(_ v: Int?) -> SQLiteData { v.map { .int($0) } ?? .null }
    static func time(_ d: Date) -> SQLiteData { .float(d.timeIntervalSince1970) }
    static func optionalTime(_ d: Date?) -> SQLiteData { d.map { .float($0.timeIntervalSince1970) } ?? .null }
    static func bytes(_ b: [UInt8]) -> SQLiteData { .blob(ByteBuffer(bytes: b)) }
}

extension SQLiteRow {
    func date(_ name: String) -> Date? { column(name)?.double.map { Date(timeIntervalSince1970: $0) } }
    func bytes(_ name: String) -> [UInt8]? {
        guard let d = column(name), !d.isNull else { return nil }
        if case .blob(let b) = d { return Array(b.readableBytesView) }
        return d.string.map { Array($0.utf8) }
    }
    func text(_ name: String) -> String? {
        guard let d = column(name), !d.isNull else { return nil }
        return d.string
    }
    func int(_ name: String) -> Int? {
        guard let d = column(name), !d.isNull else { return nil }
        return d.integer.map { Int($0) }
    }
    func double(_ name: String) -> Double? {
        guard let d = column(name), !d.isNull else { return nil }
        return d.double
    }
}
