import Foundation
import NIOPosix
import Testing
import TollgateConfig
import TollgateCore
import TollgateStore

@Suite struct StoreFactoryTests {
    let group = MultiThreadedEventLoopGroup.singleton

    @Test func memoryAndSQLite() async throws {
        #expect(try await StoreFactory.open(.memory, group: group, logger: .init(label: "t")) is MemoryStore)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-factory-\(UUID().uuidString).db").path
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let s = try await StoreFactory.open(.sqlite(path: path), group: group, logger: .init(label: "t"))
        #expect(s is SQLiteStore)
        try await s.close()
    }

    @Test func anUnreachablePostgresFailsWithoutThePassword() async throws {
        do {
            // Port 1 on loopback: refused at once.
            _ = try await PostgresStore.open(url: "postgres://u:hunter2@127.0.0.1:1/x", group: group,
                                             logger: .init(label: "t"), connectWait: .milliseconds(600))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("cannot open the PostgreSQL store at postgres://u:***@127.0.0.1:1/x"))
            #expect(!"\(error)".contains("hunter2"))
        }
    }
}
