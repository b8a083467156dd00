import PostgresNIO

/// The cache plugin's stored answers, shared by the fleet (table `cache_answers`).
extension PostgresStore: AnswerCache {
    public var answerCache: (any AnswerCache)? { self }

    public func cachedAnswer(key: String, now: Double) async throws -> CachedAnswer? {
        let rows = try await client.query(
            "SELECT key, partition, embedding, status, content_type, body, created_at, expires_at FROM cache_answers WHERE key = \(key) AND expires_at > \(now)",
            logger: logger)
        return try await Self.decode(rows).first
    }

    public func cachedAnswers(partition: String, now: Double, limit: Int) async throws -> [CachedAnswer] {
        let rows = try await client.query("""
            SELECT key, partition, embedding, status, content_type, body, created_at, expires_at FROM cache_answers
            WHERE partition = \(partition) AND expires_at > \(now) ORDER BY created_at DESC LIMIT \(limit)
            """, logger: logger)
        return try await Self.decode(rows)
    }

    public func recentAnswers(now: Double, limit: Int) async throws -> [CachedAnswer] {
        let rows = try await client.query("""
            SELECT key, partition, embedding, status, content_type, body, created_at, expires_at FROM cache_answers
            WHERE expires_at > \(now) ORDER BY created_at DESC LIMIT \(limit)
            """, logger: logger)
        return try await Self.decode(rows)
    }

    public func storeAnswer(_ e: CachedAnswer) async throws {
        let embedding = CachedAnswer.encode(e.embedding).map { ByteBuffer(bytes: $0) }
        try await client.query("""
            INSERT INTO cache_answers (key, partition, embedding, status, content_type, body, created_at, expires_at)
            VALUES (\(e.key), \(e.partition), \(embedding)::bytea, \(e.status), \(e.contentType), \(ByteBuffer(bytes: e.body)),
                \(e.createdAt), \(e.expiresAt))
            ON CONFLICT (key) DO UPDATE SET partition = EXCLUDED.partition, embedding = EXCLUDED.embedding,
                status = EXCLUDED.status, content_type = EXCLUDED.content_type, body = EXCLUDED.body,
                created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
            """, logger: logger).collect()
    }

    public func purgeAnswers(now: Double, keep: Int) async throws {
        try await client.query("DELETE FROM cache_answers WHERE expires_at <= \(now)", logger: logger).collect()
        try await client.query("""
            DELETE FROM cache_answers WHERE key IN
                (SELECT key FROM cache_answers ORDER BY created_at DESC OFFSET \(keep))
            """, logger: logger).collect()
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [CachedAnswer] {
        var out: [CachedAnswer] = []
        for try await (k, p, emb, status, ct, body, created, expires) in rows.decode(
            (String, String, ByteBuffer?, Int, String, ByteBuffer, Double, Double).self) {
            out.append(CachedAnswer(
                key: k, partition: p, embedding: CachedAnswer.decode(emb.map { Array($0.readableBytesView) }), status: status,
                contentType: ct, body: Array(body.readableBytesView), createdAt: created, expiresAt: expires))
        }
        return out
    }
}
