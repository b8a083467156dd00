/// Where state that must outlive a reload or a restart lives: usage counters, request logs,
/// async jobs. Plugins talk to this protocol only, so a PostgreSQL backend slots in beside the
/// embedded SQLite one without touching them.
public protocol Store: Sendable {
    /// Flushes pending writes and closes; called once at shutdown.
    func close() async throws
}
