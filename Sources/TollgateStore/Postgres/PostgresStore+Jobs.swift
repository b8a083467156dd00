import Foundation
import NIOCore
import PostgresNIO

/// Async jobs shared by the fleet. A worker claims a job with a lease in the database's clock
/// (so skewed instance clocks cannot shorten it), renews it while the job runs, and stores the
/// result only while it still holds the lease: a job taken over from a dead instance has one
/// result, the live worker's.
extension PostgresStore {
    static let jobColumns = """
        id, owner, route_id, uri, headers, body, state, result_status, result_body,
        created_at, finished_at, ttl_seconds
        """
    static let dbNow = "extract(epoch from clock_timestamp())"

    public func putJob(_ job: AsyncJob) async throws {
        let headers = String(decoding: try JSONEncoder().encode(job.headers), as: UTF8.self)
        let resultStatus = job.resultStatus.map { Int32(clamping: $0) }
        let resultBody = job.resultBody.map { ByteBuffer(bytes: $0) }
        try await client.query("""
            INSERT INTO async_jobs (id, owner, route_id, uri, headers, body, state, result_status, result_body,
                created_at, finished_at, ttl_seconds, expires_at)
            VALUES (\(job.id), \(job.owner), \(job.routeID), \(job.uri), \(headers), \(ByteBuffer(bytes: job.body)),
                \(job.state.rawValue), \(resultStatus)::integer, \(resultBody)::bytea, \(job.createdAt.timeIntervalSince1970),
                \(job.finishedAt?.timeIntervalSince1970)::double precision, \(Int32(clamping: job.ttlSeconds)),
                \(job.expiresAt?.timeIntervalSince1970)::double precision)
            ON CONFLICT (id) DO UPDATE SET owner = EXCLUDED.owner, route_id = EXCLUDED.route_id, uri = EXCLUDED.uri,
                headers = EXCLUDED.headers, body = EXCLUDED.body, state = EXCLUDED.state,
                result_status = EXCLUDED.result_status, result_body = EXCLUDED.result_body,
                created_at = EXCLUDED.created_at, finished_at = EXCLUDED.finished_at,
                ttl_seconds = EXCLUDED.ttl_seconds, expires_at = EXCLUDED.expires_at
            """, logger: logger).collect()
    }

    public func job(id: String) async throws -> AsyncJob? {
        try await jobs(PostgresQuery(unsafeSQL: "SELECT \(Self.jobColumns) FROM async_jobs WHERE id = $1", binds: bindings(id))).first
    }

    public func claimableJobs(worker: String) async throws -> [AsyncJob] {
        try await jobs(PostgresQuery(unsafeSQL: """
            SELECT \(Self.jobColumns) FROM async_jobs
            WHERE state = 'pending' OR (state = 'running' AND coalesce(lease_until, 0) < \(Self.dbNow))
            ORDER BY created_at LIMIT 100
            """))
    }

    public func claimJob(id: String, worker: String, leaseSeconds: Double) async throws -> AsyncJob? {
        var binds = bindings(id)
        binds.append(worker)
        binds.append(leaseSeconds)
        return try await jobs(PostgresQuery(unsafeSQL: """
            UPDATE async_jobs SET state = 'running', lease_owner = $2, lease_until = \(Self.dbNow) + $3
            WHERE id = $1 AND (state = 'pending' OR (state = 'running' AND coalesce(lease_until, 0) < \(Self.dbNow)))
            RETURNING \(Self.jobColumns)
            """, binds: binds)).first
    }

    public func renewJobLease(id: String, worker: String, leaseSeconds: Double) async throws -> Bool {
        var binds = bindings(id)
        binds.append(worker)
        binds.append(leaseSeconds)
        let rows = try await jobs(PostgresQuery(unsafeSQL: """
            UPDATE async_jobs SET lease_until = \(Self.dbNow) + $3
            WHERE id = $1 AND state = 'running' AND lease_owner = $2
            RETURNING \(Self.jobColumns)
            """, binds: binds))
        return !rows.isEmpty
    }

    public func finishJob(_ job: AsyncJob, worker: String) async throws -> Bool {
        var binds = bindings(job.id)
        binds.append(worker)
        binds.append(job.state.rawValue)
        binds.append(job.resultStatus.map { Int32(clamping: $0) })
        binds.append(job.resultBody.map { ByteBuffer(bytes: $0) })
        binds.append(job.finishedAt?.timeIntervalSince1970)
        binds.append(job.expiresAt?.timeIntervalSince1970)
        let rows = try await jobs(PostgresQuery(unsafeSQL: """
            UPDATE async_jobs SET state = $3, result_status = $4::integer, result_body = $5::bytea,
                finished_at = $6::double precision, expires_at = $7::double precision, lease_owner = NULL, lease_until = NULL
            WHERE id = $1 AND state = 'running' AND lease_owner = $2
            RETURNING \(Self.jobColumns)
            """, binds: binds))
        return !rows.isEmpty
    }

    public func deleteJobs(expiredBefore: Date) async throws {
        try await client.query(
            "DELETE FROM async_jobs WHERE expires_at IS NOT NULL AND expires_at < \(expiredBefore.timeIntervalSince1970)",
            logger: logger).collect()
    }

    private func bindings(_ id: String) -> PostgresBindings {
        var b = PostgresBindings()
        b.append(id)
        return b
    }

    private func jobs(_ query: PostgresQuery) async throws -> [AsyncJob] {
        var out: [AsyncJob] = []
        for try await row in try await client.query(query, logger: logger) {
            let r = row.makeRandomAccess()
            let headerText = try r[4].decode(String.self)
            let headers = (try? JSONDecoder().decode([[String]].self, from: Data(headerText.utf8))) ?? []
            out.append(AsyncJob(
                id: try r[0].decode(String.self), owner: try r[1].decode(String?.self),
                routeID: try r[2].decode(String.self), uri: try r[3].decode(String.self), headers: headers,
                body: Array(try r[5].decode(ByteBuffer.self).readableBytesView),
                state: AsyncJob.State(rawValue: try r[6].decode(String.self)) ?? .failed,
                resultStatus: try r[7].decode(Int32?.self).map(Int.init),
                resultBody: try r[8].decode(ByteBuffer?.self).map { Array($0.readableBytesView) },
                createdAt: Date(timeIntervalSince1970: try r[9].decode(Double.self)),
                finishedAt: try r[10].decode(Double?.self).map { Date(timeIntervalSince1970: $0) },
                ttlSeconds: Int(try r[11].decode(Int32.self))))
        }
        return out
    }
}
