import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO

/// The shared store (`store: postgres://USER:PASS@HOST:PORT/DB`): any number of gateways on one
/// PostgreSQL (spec section 11). postgres-nio's `PostgresClient` pools the connections and
/// reconnects by itself after an outage; every call here leases a connection for one statement
/// (or one transaction), so a dead connection costs one failed call, never a stuck gateway.
public final class PostgresStore: Store, SharedQuota {
    let client: PostgresClient
    /// The request path's own connections, one per event loop (admissions).
    let loopConnections: PostgresLoopConnections
    let logger: Logger
    private let runner: Task<Void, Never>
    public var kind: String { "postgres" }
    public var sharedQuota: (any SharedQuota)? { self }

    private init(client: PostgresClient, loopConnections: PostgresLoopConnections, runner: Task<Void, Never>, logger: Logger) {
        self.client = client
        self.loopConnections = loopConnections
        self.runner = runner
        self.logger = logger
    }

    /// Connects and migrates the schema. Waits for the database up to `connectWait` (a fleet
    /// often starts beside its database), then fails with a message that never holds the
    /// password.
    public static func open(url: String, group: any EventLoopGroup, logger: Logger,
                            connectWait: Duration = .seconds(30)) async throws -> PostgresStore {
        let parts = try PostgresURL.parse(url)
        let config = try parts.clientConfiguration()
        // The pool's own chatter (a failed connection attempt every backoff step during an
        // outage) at info would flood the log; the gateway reports outages itself, once a second.
        var background = logger
        background.logLevel = max(logger.logLevel, .warning)
        let client = PostgresClient(configuration: config, eventLoopGroup: group, backgroundLogger: background)
        let runner = Task { await client.run() }
        // Leasing before run() has begun only logs a warning and waits; let it begin first.
        for _ in 0..<10 { await Task.yield() }
        let loops = PostgresLoopConnections(configuration: try parts.connectionConfiguration(), logger: background)
        let store = PostgresStore(client: client, loopConnections: loops, runner: runner, logger: logger)
        let deadline = ContinuousClock.now + connectWait
        while true {
            do {
                // Reachability first, bounded: the pool would wait for a connection as long as
                // it is asked. The migration itself is not cut short (a cancelled one could
                // leave the advisory lock held on a pooled connection).
                let left = deadline - ContinuousClock.now
                try await bounded(max(left, .milliseconds(100))) { try await store.ping() }
                try await store.migrate()
                return store
            } catch {
                if ContinuousClock.now >= deadline {
                    runner.cancel()
                    throw StoreError("cannot open the PostgreSQL store at \(PostgresURL.redacted(url)): \(String(reflecting: error))")
                }
                logger.warning("store: PostgreSQL not ready (\(PostgresURL.redacted(url))), retrying: \(error)")
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// Applies the migrations this database lacks, under a session advisory lock held on one
    /// connection for the whole run.
    func migrate() async throws {
        try await client.withConnection { conn in
            _ = try await conn.query("SELECT pg_advisory_lock(\(PostgresSchema.lockKey))", logger: logger)
            do {
                _ = try await conn.query(PostgresQuery(unsafeSQL: PostgresSchema.versionTable), logger: logger)
                var current = 0
                for try await v in try await conn.query("SELECT coalesce(max(version), 0) FROM tollgate_schema", logger: logger).decode(Int.self) {
                    current = v
                }
                for (i, step) in PostgresSchema.steps.enumerated() where i + 1 > current {
                    try await conn.withTransaction(logger: logger) { tx in
                        for sql in step { _ = try await tx.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
                        _ = try await tx.query("INSERT INTO tollgate_schema (version) VALUES (\(i + 1))", logger: logger)
                    }
                    logger.info("store: PostgreSQL schema migrated to version \(i + 1)")
                }
            } catch {
                _ = try? await conn.query("SELECT pg_advisory_unlock(\(PostgresSchema.lockKey))", logger: logger)
                throw error
            }
            _ = try await conn.query("SELECT pg_advisory_unlock(\(PostgresSchema.lockKey))", logger: logger)
        }
    }

    public func ping() async throws {
        try await client.query("SELECT 1", logger: logger).collect()
    }

    // MARK: counters

    public func loadCounters() async throws -> [UsageCounter] {
        var out: [UsageCounter] = []
        let rows = try await client.query("""
            SELECT subject, window_name, window_start, requests, input_tokens, output_tokens, cost_usd
            FROM usage_counters ORDER BY subject, window_name, window_start
            """, logger: logger)
        for try await (s, w, ws, r, i, o, c) in rows.decode((String, String, Int64, Int64, Int64, Int64, Double).self) {
            out.append(UsageCounter(subject: s, window: w, windowStart: ws, requests: r, inputTokens: i, outputTokens: o, costUSD: c))
        }
        return out
    }

    /// Replaces counters by key. A fleet never calls this (instances would overwrite one
    /// another's totals); it adds through `settle`. Kept so the protocol means the same here.
    public func saveCounters(_ counters: [UsageCounter]) async throws {
        guard !counters.isEmpty else { return }
        try await client.withTransaction(logger: logger) { tx in
            for c in counters {
                _ = try await tx.query("""
                    INSERT INTO usage_counters (subject, window_name, window_start, requests, input_tokens, output_tokens, cost_usd)
                    VALUES (\(c.subject), \(c.window), \(c.windowStart), \(c.requests), \(c.inputTokens), \(c.outputTokens), \(c.costUSD))
                    ON CONFLICT (subject, window_name, window_start) DO UPDATE SET requests = EXCLUDED.requests,
                        input_tokens = EXCLUDED.input_tokens, output_tokens = EXCLUDED.output_tokens, cost_usd = EXCLUDED.cost_usd
                    """, logger: logger)
            }
        }
    }

    // MARK: rate limits (held in quota_keys, the row `tollgate_admit` locks)

    public func loadRateLimits() async throws -> [RateLimitState] {
        var out: [RateLimitState] = []
        let rows = try await client.query("SELECT subject, requests_tat, tokens_tat FROM quota_keys", logger: logger)
        for try await (s, r, t) in rows.decode((String, Double, Double).self) {
            out.append(RateLimitState(subject: s, kind: "requests", theoreticalArrival: r))
            out.append(RateLimitState(subject: s, kind: "tokens", theoreticalArrival: t))
        }
        return out
    }

    public func saveRateLimits(_ states: [RateLimitState]) async throws {
        for st in states {
            let column = st.kind == "tokens" ? "tokens_tat" : "requests_tat"
            var binds = PostgresBindings()
            binds.append(st.subject)
            binds.append(st.theoreticalArrival)
            _ = try await client.query(PostgresQuery(unsafeSQL: """
                INSERT INTO quota_keys (subject, \(column)) VALUES ($1, $2)
                ON CONFLICT (subject) DO UPDATE SET \(column) = EXCLUDED.\(column)
                """, binds: binds), logger: logger)
        }
    }

    public func close() async throws {
        await loopConnections.closeAll()
        runner.cancel()
        await runner.value
    }
}

/// `postgres://USER:PASS@HOST:PORT/DB[?sslmode=disable|prefer|require][&pool_max=N]`, read once
/// into the pool's configuration and the per-loop connections' one.
enum PostgresURL {
    struct Parts {
        var host: String
        var port: Int
        var user: String
        var password: String?
        var database: String?
        var sslmode: String
        var poolMax: Int

        /// A request that needs the store must fail fast when it is down (503), not wait for a
        /// connection attempt's default 10 s.
        static let connectTimeout = TimeAmount.seconds(2)

        func clientConfiguration() throws -> PostgresClient.Configuration {
            let tls: PostgresClient.Configuration.TLS
            switch sslmode {
            case "prefer": tls = .prefer(.makeClientConfiguration())
            case "require", "verify-full": tls = .require(.makeClientConfiguration())
            default: tls = .disable
            }
            var config = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
            config.options.connectTimeout = .seconds(2)
            // Each instance holds at most `pool_max` pooled connections (default 8), plus one
            // per event loop for admissions: a fleet of ten stays within PostgreSQL's default of 100.
            config.options.minimumConnections = min(2, poolMax)
            config.options.maximumConnections = poolMax
            return config
        }

        func connectionConfiguration() throws -> PostgresConnection.Configuration {
            let tls: PostgresConnection.Configuration.TLS
            switch sslmode {
            case "prefer": tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case "require", "verify-full": tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            default: tls = .disable
            }
            var config = PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
            config.options.connectTimeout = Self.connectTimeout
            return config
        }
    }

    static func parse(_ url: String) throws -> Parts {
        guard let c = URLComponents(string: url), let host = c.host, !host.isEmpty else {
            throw StoreError("store: cannot read the PostgreSQL URL \(redacted(url)) (expected postgres://USER:PASS@HOST:PORT/DB)")
        }
        let user = c.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        let password = c.password.flatMap { $0.removingPercentEncoding }
        var database = c.path
        if database.hasPrefix("/") { database.removeFirst() }
        let sslmode = c.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        guard ["disable", "prefer", "require", "verify-full"].contains(sslmode) else {
            throw StoreError("store: unknown sslmode '\(sslmode)' (disable, prefer, require or verify-full)")
        }
        let poolMax = c.queryItems?.first { $0.name == "pool_max" }?.value
        guard let max = Int(poolMax ?? "8"), max >= 1 else {
            throw StoreError("store: pool_max must be a positive number of connections")
        }
        return Parts(host: host, port: c.port ?? 5432, user: user, password: password,
                     database: database.isEmpty ? nil : database, sslmode: sslmode, poolMax: max)
    }

    /// The URL without its password, for messages.
    static func redacted(_ url: String) -> String {
        guard var c = URLComponents(string: url) else { return "postgres://…" }
        if c.password != nil { c.password = "***" }
        return c.string ?? "postgres://…"
    }
}

/// Runs `work`, or throws after `limit`, whichever comes first (the loser is cancelled). Every
/// bounded store call off the request path uses it (start-up, `/health`, tests).
public func bounded<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw StoreError("no answer within \(limit)")
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw StoreError("no answer") }
        return first
    }
}
