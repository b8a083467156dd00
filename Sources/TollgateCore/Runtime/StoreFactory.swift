import Logging
import NIOCore
import TollgateConfig
import TollgateStore

/// Opens the store a config names (`store:`). Lives in the core rather than TollgateStore
/// because that module does not know the config types.
public enum StoreFactory {
    public static func open(_ location: StoreLocation, group: any EventLoopGroup, logger: Logger) async throws -> any Store {
        switch location {
        case .memory:
            return MemoryStore()
        case .sqlite(let path):
            return try await SQLiteStore.open(path: path, on: group.any(), logger: logger)
        case .postgres(let url):
            return try await PostgresStore.open(url: url, group: group, logger: logger)
        }
    }
}
