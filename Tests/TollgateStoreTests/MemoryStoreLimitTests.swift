import Testing
@testable import TollgateStore

/// `store: memory` lives in the process's own memory: its request log keeps the newest rows only.
@Suite struct MemoryStoreLimitTests {
    @Test func requestLogKeepsTheNewestRowsAndStaysBounded() async {
        let store = MemoryStore(maxLogRows: 100)
        for batch in 0..<50 {
            let rows = (0..<10).map { i in
                RequestLogRow(time: at(batch * 10 + i), requestID: "r\(batch * 10 + i)", route: "r", status: 200, latencyMs: 1)
            }
            await store.appendLogs(rows)
            #expect(await store.logCount <= 125)
        }
        let newest = await store.queryLogs(LogQuery(limit: 1000))
        #expect(newest.count >= 100 && newest.count <= 125)
        #expect(newest.first?.requestID == "r499")
        // What is kept is a contiguous run of the newest rows, newest first.
        #expect(newest.map(\.requestID) == (500 - newest.count..<500).reversed().map { "r\($0)" })
    }
}
