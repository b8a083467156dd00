import NIOHTTP1
import Testing
import TollgateCore

private struct Tag: Plugin {}

private func route(_ id: String, _ uri: String, methods: [String]? = nil, host: String? = nil) -> Route {
    Route(id: id, uri: uri, methods: methods.map(Set.init), host: host, plugins: [Tag()])
}

@Suite struct RouterTests {
    let router = Router(routes: [
        route("chat", "/v1/chat/completions"),
        route("v1", "/v1/*"),
        route("root", "/*"),
        route("models-get", "/v1/models", methods: ["GET"]),
        route("models-post", "/v1/models", methods: ["POST"]),
        route("genai", "/genai/v1beta/models/*"),
        route("hosted", "/h", host: "api.example.com"),
    ])

    func match(_ path: String, _ method: HTTPMethod = .POST, host: String? = nil) -> String? {
        router.match(path: Substring(path), method: method, host: host)?.id
    }

    @Test func exactBeatsPrefix() {
        #expect(match("/v1/chat/completions") == "chat")
    }

    @Test func longestPrefixWins() {
        #expect(match("/v1/embeddings") == "v1")
        #expect(match("/v1/chat/completions/extra") == "v1")
        #expect(match("/other") == "root")
        #expect(match("/genai/v1beta/models/gemini-2.5-flash:generateContent") == "genai")
        #expect(match("/genai/v1beta/models/anthropic/claude-3:streamGenerateContent") == "genai")
    }

    @Test func prefixDoesNotMatchItsOwnBase() {
        // `/v1/*` is below /v1/, not /v1 itself; the root prefix catches it.
        #expect(match("/v1") == "root")
        #expect(match("/v1/") == "v1")
    }

    @Test func methodsChooseAmongRoutesOnOneURI() {
        #expect(match("/v1/models", .GET) == "models-get")
        #expect(match("/v1/models", .POST) == "models-post")
        // No route on the exact URI takes DELETE: the best prefix does.
        #expect(match("/v1/models", .DELETE) == "v1")
    }

    @Test func hostIsComparedWithoutPort() {
        #expect(match("/h", host: "api.example.com:8080") == "hosted")
        #expect(match("/h", host: "API.example.com") == "hosted")
        #expect(match("/h", host: "other.example.com") == "root")
        #expect(match("/h") == "root")
    }

    @Test func noRouteWithoutCatchAll() {
        let r = Router(routes: [route("a", "/a")])
        #expect(r.match(path: "/b", method: .GET, host: nil) == nil)
        #expect(r.match(path: "/a/b", method: .GET, host: nil) == nil)
    }
}
