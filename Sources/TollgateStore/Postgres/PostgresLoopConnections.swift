import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// One connection per event loop for the decisions made on the request path: the statement is
/// written, answered and decoded on the loop that holds the request, so a decision costs the
/// database's own time and no thread hop. (Through the pool, `PostgresClient` runs each call as
/// a task: measured, the hops from the loop to the task, the pool, the connection's loop and
/// back cost more than the statement itself.) A connection that fails is dropped, and the next
/// decision on its loop connects again — within the connect timeout, so an outage is a quick
/// 503, as through the pool.
final class PostgresLoopConnections: Sendable {
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private let byLoop = NIOLockedValueBox<[ObjectIdentifier: EventLoopFuture<PostgresConnection>]>([:])
    private let nextID = NIOLockedValueBox<Int>(0)

    init(configuration: PostgresConnection.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs `query` on `loop`'s connection; its answer completes on `loop`.
    func query(_ query: PostgresQuery, on loop: any EventLoop) -> EventLoopFuture<PostgresQueryResult> {
        let connection = self.connection(on: loop)
        return connection.flatMap { [logger] conn -> EventLoopFuture<PostgresQueryResult> in
            guard !conn.isClosed else {
                // Closed since (the server restarted): connect again, once.
                self.drop(loop, connection)
                return self.connection(on: loop).flatMap { $0.query(query, logger: logger) }
            }
            return conn.query(query, logger: logger)
        }.flatMapErrorThrowing { error in
            // Any failure may have left the connection unusable: the next call starts afresh.
            self.drop(loop, connection)
            throw error
        }
    }

    private func connection(on loop: any EventLoop) -> EventLoopFuture<PostgresConnection> {
        let key = ObjectIdentifier(loop)
        return byLoop.withLockedValue { map in
            if let f = map[key] { return f }
            let id = nextID.withLockedValue { n in
                n += 1
                return n
            }
            let f = PostgresConnection.connect(on: loop, configuration: configuration, id: id, logger: logger)
            map[key] = f
            return f
        }
    }

    private func drop(_ loop: any EventLoop, _ future: EventLoopFuture<PostgresConnection>) {
        let key = ObjectIdentifier(loop)
        let removed = byLoop.withLockedValue { map -> Bool in
            guard let f = map[key], f === future else { return false }
            map[key] = nil
            return true
        }
        if removed { future.whenSuccess { conn in conn.close().whenComplete { _ in } } }
    }

    func closeAll() async {
        let all = byLoop.withLockedValue { map in
            defer { map = [:] }
            return Array(map.values)
        }
        for f in all {
            if let conn = try? await f.get() { try? await conn.close() }
        }
    }
}
