import Testing
import TollgateJSON

@testable import TollgatePlugins

/// What makes two requests one cache entry (plugins/cache/README.md).
@Suite struct CacheKeyTests {
    private func key(_ body: String, scope: String = "vk:a", path: Substring = "/v1/chat/completions") throws -> CacheKey {
        CacheKey(scope: scope, route: "r", path: path, body: try JSON.parse(body))
    }

    @Test func keyOrderAndIgnoredFieldsDoNotMatter() throws {
        let a = try key(#"{"model":"m","temperature":0.2,"messages":[{"role":"user","content":"hi"}],"user":"u1"}"#)
        let b = try key(#"{"messages":[{"content":"hi","role":"user"}],"user":"u2","metadata":{"x":1},"temperature":0.2,"model":"m"}"#)
        #expect(a.exact == b.exact)
        #expect(a.exact.count == 64)
    }

    @Test func anythingThatChangesTheAnswerChangesTheKey() throws {
        let base = try key(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#)
        #expect(try key(#"{"model":"m","temperature":1,"messages":[{"role":"user","content":"hi"}]}"#).exact != base.exact)
        #expect(try key(#"{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"#).exact != base.exact)
        #expect(try key(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#, scope: "vk:b").exact != base.exact)
        #expect(try key(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#, path: "/anthropic/v1/messages").exact != base.exact)
    }

    @Test func thePartitionLeavesOutOnlyThePromptText() throws {
        let a = try key(#"{"model":"m","system":"be brief","messages":[{"role":"user","content":[{"type":"text","text":"capital of France?"}]}]}"#)
        let b = try key(#"{"model":"m","system":"be brief","messages":[{"role":"user","content":"what is France's capital"}]}"#)
        let c = try key(#"{"model":"m","temperature":0.5,"messages":[{"role":"user","content":"capital of France?"}]}"#)
        #expect(a.partition == b.partition)
        #expect(a.partition != c.partition)
        #expect(a.promptText == "be brief\ncapital of France?" || a.promptText == "capital of France?\nbe brief")
        let gemini = try key(#"{"contents":[{"role":"user","parts":[{"text":"hello"},{"text":"there"}]}]}"#, path: "/genai/v1beta/models/m:generateContent")
        #expect(gemini.promptText == "hello\nthere")
    }
}
