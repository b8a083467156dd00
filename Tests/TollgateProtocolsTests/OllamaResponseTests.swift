import Testing
import TollgateJSON
@testable import TollgateProtocols

@Suite struct OllamaResponseTests {
    @Test func decodeWhole() throws {
        let body = try JSON.parse("""
            {"model":"llama3.1","created_at":"2024-07-22T20:14:48.452497-07:00","message":{"role":"assistant","content":"",
             "thinking":"hm","tool_calls":[{"function":{"name":"f","arguments":{"city":"Oslo"}}}]},
             "done":true,"done_reason":"stop","total_duration":1,"prompt_eval_count":26,"eval_count":12}
            """)
        let r = try OllamaCodec.decodeResponse(body)
        #expect(r.model == "llama3.1")
        #expect(r.created == 1_721_704_488)
        #expect(r.id == "ollama-1721704488")
        #expect(r.content == [.thinking(text: "hm", signature: nil), .toolUse(id: "call_0", name: "f", input: ["city": "Oslo"])])
        #expect(r.stopReason == .toolUse)
        #expect(r.usage == Usage(inputTokens: 26, outputTokens: 12))
        #expect(OllamaCodec.usage(in: body) == r.usage)
        #expect(OllamaCodec.usage(in: ["model": "m"]) == nil)
    }

    @Test(arguments: [("stop", StopReason.endTurn), ("length", .maxTokens), ("load", .other("load"))])
    func doneReasons(raw: String, reason: StopReason) throws {
        let r = try OllamaCodec.decodeResponse(try JSON.parse(#"{"message":{"role":"assistant","content":"x"},"done":true,"done_reason":"\#(raw)"}"#))
        #expect(r.stopReason == reason)
    }

    @Test func encodeForOllamaClient() {
        let r = ChatResponse(id: "x", model: "gpt-4o", created: 1_700_000_000, content: [
            .thinking(text: "t", signature: nil), .text("a"), .text("b"), .toolUse(id: "c", name: "f", input: ["k": true]),
        ], stopReason: .maxTokens, usage: Usage(inputTokens: 3, outputTokens: 4))
        #expect(OllamaCodec.encodeResponse(r).jsonString == """
            {"model":"gpt-4o","created_at":"2023-11-14T22:13:20Z","message":{"role":"assistant","content":"ab","thinking":"t",\
            "tool_calls":[{"function":{"name":"f","arguments":{"k":true}}}]},"done":true,"done_reason":"length",\
            "prompt_eval_count":3,"eval_count":4}
            """)
    }

    @Test func errors() {
        let e = OllamaCodec.decodeError(status: 404, body: Array(#"{"error":"model 'x' not found"}"#.utf8))
        #expect(e == GatewayError(status: 404, kind: .notFound, message: "model 'x' not found"))
        #expect(OllamaCodec.encodeError(e) == ["error": "model 'x' not found"])
        #expect(OllamaCodec.decodeError(status: 500, body: Array("boom".utf8)).message == "boom")
    }

    @Test func timeConversions() {
        #expect(OllamaTime.parse("1970-01-01T00:00:00Z") == 0)
        #expect(OllamaTime.parse("2023-08-04T19:22:45.499127Z") == 1_691_176_965)
        #expect(OllamaTime.parse("2024-02-29T00:00:00+01:00") == 1_709_161_200)
        #expect(OllamaTime.parse("yesterday") == nil)
        #expect(OllamaTime.format(1_691_176_965) == "2023-08-04T19:22:45Z")
        #expect(OllamaTime.format(1_709_164_800) == "2024-02-29T00:00:00Z")
    }
}
