import Testing
import TollgateCore

@Suite struct UpstreamURLTests {
    @Test func parsesSchemeHostPortPath() throws {
        let u = try #require(UpstreamURL("https://api.anthropic.com/v1/messages"))
        #expect(u.tls && u.host == "api.anthropic.com" && u.port == 443 && u.path == "/v1/messages")
        #expect(u.hostHeader == "api.anthropic.com")
        let l = try #require(UpstreamURL("http://127.0.0.1:9000"))
        #expect(!l.tls && l.port == 9000 && l.path == "" && l.hostHeader == "127.0.0.1:9000")
        let q = try #require(UpstreamURL("http://h:1/x/?a=b"))
        #expect(q.path == "/x/?a=b")
        let v6 = try #require(UpstreamURL("http://[::1]:8080/v1/"))
        #expect(v6.host == "::1" && v6.port == 8080 && v6.path == "/v1" && v6.hostHeader == "[::1]:8080")
    }

    @Test func rejectsNonHTTP() {
        #expect(UpstreamURL("ftp://x") == nil)
        #expect(UpstreamURL("http://") == nil)
        #expect(UpstreamURL("http://h:notaport/") == nil)
    }
}

@Suite struct GlobTests {
    @Test func forms() {
        #expect(Glob("*").matches("anything"))
        #expect(Glob("openai/*").matches("openai/gpt-4o"))
        #expect(!Glob("openai/*").matches("anthropic/claude"))
        #expect(Glob("anthropic/claude-3-5-*").matches("anthropic/claude-3-5-sonnet-20240620"))
        #expect(Glob("exact").matches("exact") && !Glob("exact").matches("exactly"))
        #expect(Glob("*/gpt-4o*").matches("azure/gpt-4o-mini"))
        #expect(Glob("a*b*c").matches("aXbYc") && !Glob("a*b*c").matches("aXbY"))
        #expect(Glob("X-Team-*", caseInsensitive: true).matches("x-team-a"))
    }
}
