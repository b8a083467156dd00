import SQLiteNIO

/// The cache plugin's stored answers in the embedded file (table `cache_answers`).
extension SQLiteStore: AnswerCache {
    public var answerCache: (any AnswerCache)? { self }

    public func cachedAnswer(key: String, now: Double) async throws -> CachedAnswer? {
        try await read("SELECT * FROM cache_answers WHERE key = ? AND expires_at > ?", [.text(key), .float(now)])
            .first.flatMap(Self.decodeAnswer)
    }

    public func cachedAnswers(partition: String, now: Double, limit: Int) async throws -> [CachedAnswer] {
        try await read("""
            SELECT * FROM cache_answers WHERE partition = ? AND expires_at > ? ORDER BY created_at DESC LIMIT ?
            """, [.text(partition), .float(now), .int(limit)]).compactMap(Self.decodeAnswer)
    }

    public func recentAnswers(now: Double, limit: Int) async throws -> [CachedAnswer] {
        try await read("SELECT * FROM cache_answers WHERE expires_at > ? ORDER BY created_at DESC LIMIT ?", [.float(now), .int(limit)])
            .compactMap(Self.decodeAnswer)
    }

    public func storeAnswer(_ e: CachedAnswer) async throws {
        try await transaction { db in
            _ = try await db.query("""
                INSERT OR REPLACE INTO cache_answers
                (key, partition, embedding, status, content_type, body, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [
                    .text(e.key), .text(e.partition), CachedAnswer.encode(e.embedding).map { SQLiteData.bytes($0) } ?? .null,
                    .int(e.status), .text(e.contentType), .bytes(e.body), .float(e.createdAt), .float(e.expiresAt),
                ])
        }
    }

    public func purgeAnswers(now: Double, keep: Int) async throws {
        try await transaction { db in
            _ = try await db.query("DELETE FROM cache_answers WHERE expires_at <= ?", [.float(now)])
            _ = try await db.query("""
                DELETE FROM cache_answers WHERE key IN
                    (SELECT key FROM cache_answers ORDER BY created_at DESC LIMIT -1 OFFSET ?)
                """, [.int(keep)])
        }
    }

    static func decodeAnswer(_ r: SQLiteRow) -> CachedAnswer? {
        guard let key = r.text("key"), let status = r.int("status"), let body = r.bytes("body") else { return nil }
        return CachedAnswer(
            key: key, partition: r.text("partition") ?? "", embedding: CachedAnswer.decode(r.bytes("embedding")), status: status,
            contentType: r.text("content_type") ?? "application/json", body: body, createdAt: r.double("created_at") ?? 0,
            expiresAt: r.double("expires_at") ?? 0)
    }
}
