import NIOHTTP1
import Testing
import TollgateCore

@Suite struct HeaderRemovalTests {
    @Test func removesNamedHeadersCaseInsensitivelyKeepingOrder() {
        var h = HTTPHeaders([
            ("Content-Type", "application/json"), ("Set-Cookie", "a=1"), ("X-Ratelimit-Remaining", "9"),
            ("set-cookie", "b=2"), ("Connection", "keep-alive"), ("x-request-id", "upstream"),
        ])
        h.removeAll(named: HeaderNameSet(["set-cookie", "connection", "x-request-id"]))
        #expect(h.map { $0.name } == ["Content-Type", "X-Ratelimit-Remaining"])
    }

    @Test func leavesHeadersAloneWhenNoneMatch() {
        var h = HTTPHeaders([("content-type", "text/event-stream"), ("cache-control", "no-cache")])
        h.removeAll(named: HeaderNameSet(["set-cookie", "server"]))
        #expect(h.count == 2)
        // Same length as a listed name but a different one: kept.
        var g = HTTPHeaders([("set-cookiX", "1")])
        g.removeAll(named: HeaderNameSet(["set-cookie"]))
        #expect(g.count == 1)
    }
}
