import Foundation
import Testing
@testable import TollgateStore

/// The cache plugin's stored answers, the same in the embedded file and in PostgreSQL: by key,
/// by semantic partition (newest first, embeddings intact), expiry, and the size bound.
@Suite struct AnswerCacheContractTests {
    static let persistent: [Backend] = [.sqlite, .postgres]

    func entry(_ key: String, partition: String = "p", created: Double, ttl: Double = 60, embedding: [Float]? = nil) -> CachedAnswer {
        CachedAnswer(key: key, partition: partition, embedding: embedding, status: 200, contentType: "text/event-stream",
                     body: Array("data: {\"k\":\"\(key)\"}\n\n".utf8), createdAt: created, expiresAt: created + ttl)
    }

    @Test(arguments: persistent)
    func storedAnswersAreFoundUntilTheyExpireAndTheOldestGoFirst(_ backend: Backend) async throws {
        let (store, cleanup) = try await backend.open()
        defer { cleanup() }
        let cache = try #require(store.answerCache)
        try await cache.storeAnswer(entry("a", created: 1000, embedding: [0.5, -1, 3.25]))
        try await cache.storeAnswer(entry("b", created: 1001))
        try await cache.storeAnswer(entry("c", partition: "q", created: 1002, ttl: 5))
        #expect(try await cache.cachedAnswer(key: "a", now: 1010) == entry("a", created: 1000, embedding: [0.5, -1, 3.25]))
        #expect(try await cache.cachedAnswer(key: "c", now: 1010) == nil, "expired")
        #expect(try await cache.cachedAnswers(partition: "p", now: 1010, limit: 10).map(\.key) == ["b", "a"])
        #expect(try await cache.recentAnswers(now: 1003, limit: 2).map(\.key) == ["c", "b"])
        // Stored again under the same key: replaced.
        try await cache.storeAnswer(entry("a", created: 1005))
        #expect(try await cache.cachedAnswer(key: "a", now: 1010)?.createdAt == 1005)
        try await cache.purgeAnswers(now: 1010, keep: 1)
        #expect(try await cache.recentAnswers(now: 0, limit: 10).map(\.key) == ["a"])
        try await store.close()
    }
}
