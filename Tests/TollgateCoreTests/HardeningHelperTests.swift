import NIOCore
import Testing
import TollgateConfig
import TollgateCore
import TollgateProtocols

@Suite struct PathSegmentTests {
    @Test func plainNamesStayAsTheyAre() {
        #expect(UpstreamURL.pathSegment("gemini-1.5-flash") == "gemini-1.5-flash")
        #expect(UpstreamURL.pathSegment("claude-3-5-sonnet@20240620") == "claude-3-5-sonnet@20240620")
    }

    @Test func reservedBytesAreEscaped() {
        #expect(UpstreamURL.pathSegment("a:b") == "a%3Ab")
        #expect(UpstreamURL.pathSegment("a%2Fb") == "a%252Fb")
        #expect(UpstreamURL.pathSegment("a?b#c d") == "a%3Fb%23c%20d")
        #expect(UpstreamURL.pathSegment("é") == "%C3%A9")
    }

    @Test func whatCannotBeOneSegmentIsRefused() {
        for bad in ["", ".", "..", "a/b", "gemini-1.5-flash/../gemini-1.5-pro", "a\\b"] {
            #expect(UpstreamURL.pathSegment(bad) == nil, "\(bad)")
        }
    }

    @Test func providersThatPutTheModelInThePathRefuseASlash() throws {
        let r = try ProviderRegistry(config: [], environment: [:])
        #expect(throws: GatewayError.self) { try r["gemini"]?.url(.chat(stream: false), model: "gemini-1.5-flash/../gemini-1.5-pro") }
        #expect(try r["gemini"]?.url(.chat(stream: false), model: "x:y")?.path == "/v1beta/models/x%3Ay:generateContent")
        // OpenAI-style providers carry the model in the body: a slash is an ordinary name there.
        #expect(try r["openai"]?.url(.chat(stream: false), model: "meta-llama/Llama-3")?.path == "/v1/chat/completions")
    }
}

@Suite struct SecretRedactorTests {
    @Test func everyOccurrenceIsReplaced() {
        let r = SecretRedactor(["sk-upstream-secret-0123", "short"])
        var b = ByteBuffer(string: #"{"error":{"message":"Incorrect API key provided: sk-upstream-secret-0123 (sk-upstream-secret-0123)"}}"#)
        r.redact(&b)
        #expect(String(buffer: b) == #"{"error":{"message":"Incorrect API key provided: [redacted] ([redacted])"}}"#)
        // Too short to be told from ordinary words: left alone.
        #expect(r.redact("a short text") == "a short text")
    }

    @Test func theCallsOwnKeyIsRedactedToo() {
        let r = SecretRedactor([String]())
        #expect(r.redact("bad key sk-direct-client-999", also: "sk-direct-client-999") == "bad key [redacted]")
        #expect(r.redact("nothing here", also: "sk-direct-client-999") == "nothing here")
    }
}

@Suite struct StreamLineGuardTests {
    @Test func onlyTheUnfinishedLineCounts() {
        var g = StreamLineGuard(limit: 10)
        let a = g.admit(ByteBuffer(string: "data: 0123456789abcdef\n\n"))
        let b = g.admit(ByteBuffer(string: "data: 0123"))
        let c = g.admit(ByteBuffer(string: "45678"))
        #expect(a && b && !c)
        var h = StreamLineGuard(limit: 10)
        let d = h.admit(ByteBuffer(string: "0123456789"))
        let e = h.admit(ByteBuffer(string: "\r\nab"))
        #expect(d && e)
    }
}

@Suite struct TailUsageTests {
    @Test func usageIsFoundAtTheEndOfAFragment() {
        let fragment = Array(#"xxxx", "usage": {"prompt_tokens": 12, "completion_tokens": 34, "total_tokens": 46}, "x": "}"}"#.utf8)
        let u = fragment.withUnsafeBytes { Translation.codec(.openAIChat).usage(inTail: $0) }
        #expect(u?.inputTokens == 12)
        #expect(u?.outputTokens == 34)
        let none = Array(#"xxxx"usage": {"prompt_tokens": 1"#.utf8)
        #expect(none.withUnsafeBytes { Translation.codec(.openAIChat).usage(inTail: $0) } == nil)
    }
}
