import Foundation
import Logging
import NIOConcurrencyHelpers
import TollgateCore
import TollgateStore

/// Every stored answer this process knows, in memory, so a hit never leaves the process; the
/// store (SQLite, or PostgreSQL in a fleet) keeps them across restarts and instances. One per
/// process, kept across reloads. Bounded: past `maxEntries` the oldest go first.
final class CacheIndex: Sendable {
    private struct State {
        var byKey: [String: CachedAnswer] = [:]
        /// Keys in the order they were stored (oldest first), for eviction.
        var order: [String] = []
        var orderStart = 0
        var byPartition: [String: [String]] = [:]
        /// The largest `max_entries` of the configs loaded so far (0: none yet).
        var maxEntries = 0
        var bound: Int { maxEntries == 0 ? 10_000 : maxEntries }
    }

    private let state = NIOLockedValueBox(State())
    let store: (any AnswerCache)?
    /// A fleet's store holds entries other instances stored: a memory miss asks it.
    let storeIsShared: Bool
    private let logger: Logger

    static func shared(_ services: GatewayServices) -> CacheIndex {
        services.shared("cache.index") {
            let index = CacheIndex(services)
            index.start(services)
            return index
        }
    }

    private init(_ services: GatewayServices) {
        store = services.store?.answerCache
        storeIsShared = services.store?.sharedQuota != nil
        logger = services.logger
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    /// Warms memory from the store, then purges expired entries (memory and store) every minute.
    private func start(_ services: GatewayServices) {
        guard let store else { return }
        let task = Task { [self] in
            do {
                for e in try await store.recentAnswers(now: Self.now(), limit: state.withLockedValue { $0.bound }).reversed() {
                    remember(e)
                }
            } catch {
                logger.warning("cache: cannot read stored answers (starting empty): \(error)")
            }
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(60))
                if Task.isCancelled { break }
                purgeMemory()
                do {
                    try await store.purgeAnswers(now: Self.now(), keep: state.withLockedValue { $0.bound })
                } catch {
                    logger.warning("cache: cannot purge stored answers: \(error)")
                }
            }
        }
        services.onShutdown { task.cancel() }
    }

    /// The largest `max_entries` of the loaded configs bounds the whole index.
    func bound(_ maxEntries: Int) {
        state.withLockedValue { $0.maxEntries = max($0.maxEntries, maxEntries) }
    }

    func get(_ key: String, now: Double) -> CachedAnswer? {
        state.withLockedValue { s in
            guard let e = s.byKey[key], e.expiresAt > now else { return nil }
            return e
        }
    }

    func partition(_ p: String, now: Double) -> [CachedAnswer] {
        state.withLockedValue { s in
            (s.byPartition[p] ?? []).compactMap { k in s.byKey[k].flatMap { $0.expiresAt > now ? $0 : nil } }
        }
    }

    func remember(_ e: CachedAnswer) {
        state.withLockedValue { s in
            if s.byKey.updateValue(e, forKey: e.key) == nil {
                s.order.append(e.key)
                s.byPartition[e.partition, default: []].append(e.key)
            }
            while s.byKey.count > s.bound, s.orderStart < s.order.count {
                let old = s.order[s.orderStart]
                s.orderStart += 1
                if let gone = s.byKey.removeValue(forKey: old) {
                    s.byPartition[gone.partition]?.removeAll { $0 == old }
                    if s.byPartition[gone.partition]?.isEmpty == true { s.byPartition[gone.partition] = nil }
                }
            }
            if s.orderStart > 4096, s.orderStart * 2 > s.order.count {
                s.order.removeFirst(s.orderStart)
                s.orderStart = 0
            }
        }
    }

    /// Stores an answer: in memory now, in the store off the request path.
    func put(_ e: CachedAnswer) {
        remember(e)
        guard let store else { return }
        let logger = self.logger
        Task {
            do { try await store.storeAnswer(e) } catch { logger.warning("cache: cannot store an answer: \(error)") }
        }
    }

    private func purgeMemory() {
        let now = Self.now()
        state.withLockedValue { s in
            let expired = s.byKey.values.filter { $0.expiresAt <= now }
            for e in expired {
                s.byKey[e.key] = nil
                s.byPartition[e.partition]?.removeAll { $0 == e.key }
                if s.byPartition[e.partition]?.isEmpty == true { s.byPartition[e.partition] = nil }
            }
            s.order = s.order[s.orderStart...].filter { s.byKey[$0] != nil }
            s.orderStart = 0
        }
    }
}
