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

    @Test func postgresIsNotSupportedYetAndKeepsThePasswordOut() async throws {
        do {
            _ = try await StoreFactory.open(.postgres(url: "postgres://u:hunter2@db/x"), group: group, logger: .init(label: "t"))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("not supported yet"))
            #expect(!"\(error)".contains("hunter2"))
        }
    }
}
