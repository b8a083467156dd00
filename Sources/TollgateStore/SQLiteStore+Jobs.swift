import Foundation
import SQLiteNIO

/// The async job table (spec section 9). Headers are kept as a JSON array of [name, value]
/// pairs; bodies as blobs.
extension SQLiteStore {
    public func putJob(_ job: AsyncJob) async throws {
        let headers = String(decoding: try JSONEncoder().encode(job.headers), as: UTF8.self)
        try await transaction { db in
            _ = try await db.query("""
                INSERT OR REPLACE INTO async_jobs
                (id, owner, route_id, uri, headers, body, state, result_status, result_body,
                 created_at, finished_at, ttl_seconds, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [
                    .text(job.id), .optional(job.owner), .text(job.routeID), .text(job.uri), .text(headers),
                    .bytes(job.body), .text(job.state.rawValue), .optional(job.resultStatus),
                    job.resultBody.map { SQLiteData.bytes($0) } ?? .null, .time(job.createdAt), .optionalTime(job.finishedAt),
                    .int(job.ttlSeconds), .optionalTime(job.expiresAt),
                ])
        }
    }

    public func job(id: String) async throws -> AsyncJob? {
        try await read("SELECT * FROM async_jobs WHERE id = ?", [.text(id)]).first.map(Self.decodeJob)
    }

    /// The file belongs to one process: a job another worker holds was left by an earlier run.
    public func claimableJobs(worker: String) async throws -> [AsyncJob] {
        try await read("""
            SELECT * FROM async_jobs WHERE state = 'pending'
                OR (state = 'running' AND coalesce(lease_owner, '') <> ?) ORDER BY created_at
            """, [.text(worker)]).map(Self.decodeJob)
    }

    public func claimJob(id: String, worker: String, leaseSeconds: Double) async throws -> AsyncJob? {
        let claimed = ClaimBox()
        try await transaction { db in
            let rows = try await db.query("""
                UPDATE async_jobs SET state = 'running', lease_owner = ?
                WHERE id = ? AND (state = 'pending' OR (state = 'running' AND coalesce(lease_owner, '') <> ?))
                RETURNING *
                """, [.text(worker), .text(id), .text(worker)])
            claimed.job = rows.first.map(Self.decodeJob)
        }
        return claimed.job
    }

    public func renewJobLease(id: String, worker: String, leaseSeconds: Double) async throws -> Bool {
        try await read("SELECT 1 FROM async_jobs WHERE id = ? AND state = 'running' AND lease_owner = ?",
                       [.text(id), .text(worker)]).isEmpty == false
    }

    public func finishJob(_ job: AsyncJob, worker: String) async throws -> Bool {
        let held = try await renewJobLease(id: job.id, worker: worker, leaseSeconds: 0)
        guard held else { return false }
        try await putJob(job)
        return true
    }

    public func deleteJobs(expiredBefore: Date) async throws {
        try await transaction { db in
            _ = try await db.query(
                "DELETE FROM async_jobs WHERE expires_at IS NOT NULL AND expires_at < ?", [.time(expiredBefore)])
        }
    }

    static func decodeJob(_ r: SQLiteRow) -> AsyncJob {
        let headerText = r.text("headers") ?? "[]"
        let headers = (try? JSONDecoder().decode([[String]].self, from: Data(headerText.utf8))) ?? []
        return AsyncJob(
            id: r.text("id") ?? "", owner: r.text("owner"), routeID: r.text("route_id") ?? "", uri: r.text("uri") ?? "",
            headers: headers, body: r.bytes("body") ?? [],
            state: AsyncJob.State(rawValue: r.text("state") ?? "") ?? .failed,
            resultStatus: r.int("result_status"), resultBody: r.bytes("result_body"),
            createdAt: r.date("created_at") ?? Date(timeIntervalSince1970: 0), finishedAt: r.date("finished_at"),
            ttlSeconds: r.int("ttl_seconds") ?? 3600)
    }
}

/// Carries a row out of a transaction closure (which must be `@Sendable`); written once, inside
/// the store's serial queue, and read after it returns.
private final class ClaimBox: @unchecked Sendable {
    var job: AsyncJob?
}
