import Testing
import TollgateJSON
@testable import TollgateProtocols

@Suite struct ResponsesResponseTests {
    static let wire = """
        {"id":"resp_1","object":"response","created_at":1741476542,"status":"completed","model":"gpt-4.1",\
        "output":[{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"why"}],"encrypted_content":"E"},\
        {"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi","annotations":[]}]},\
        {"type":"function_call","id":"fc_1","call_id":"call_1","name":"f","arguments":"{\\"a\\":1}","status":"completed"}],\
        "usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":4},"output_tokens":87,\
        "output_tokens_details":{"reasoning_tokens":50},"total_tokens":123}}
        """

    @Test func decodeWhole() throws {
        let body = try JSON.parse(Self.wire)
        let r = try ResponsesCodec.decodeResponse(body)
        #expect(r.id == "resp_1")
        #expect(r.model == "gpt-4.1")
        #expect(r.created == 1_741_476_542)
        #expect(r.content == [.thinking(text: "why", signature: "E"), .text("Hi"), .toolUse(id: "call_1", name: "f", input: ["a": 1])])
        #expect(r.stopReason == .toolUse)
        #expect(r.usage == Usage(inputTokens: 36, outputTokens: 87, cachedInputTokens: 4, reasoningTokens: 50))
        #expect(ResponsesCodec.usage(in: body) == r.usage)
    }

    @Test(arguments: [
        (#""status":"completed""#, StopReason.endTurn),
        (#""status":"incomplete","incomplete_details":{"reason":"max_output_tokens"}"#, .maxTokens),
        (#""status":"incomplete","incomplete_details":{"reason":"content_filter"}"#, .contentFilter),
    ])
    func statuses(fields: String, reason: StopReason) throws {
        let r = try ResponsesCodec.decodeResponse(try JSON.parse(#"{"id":"r",\#(fields),"output":[]}"#))
        #expect(r.stopReason == reason)
    }

    @Test func failedResponseIsAnError() throws {
        #expect(throws: GatewayError.self) {
            try ResponsesCodec.decodeResponse(try JSON.parse(#"{"status":"failed","error":{"code":"server_error","message":"boom"}}"#))
        }
    }

    @Test func encodeWholeForResponsesClient() throws {
        let r = ChatResponse(id: "msg_01", model: "claude", created: 7, content: [
            .thinking(text: "t", signature: "sig"), .text("a"), .text("b"),
            .toolUse(id: "toolu_1", name: "f", input: ["x": 1]), .text("after"),
        ], stopReason: .maxTokens, usage: Usage(inputTokens: 1, outputTokens: 2))
        #expect(ResponsesCodec.encodeResponse(r).jsonString == """
            {"id":"msg_01","object":"response","created_at":7,"status":"incomplete","error":null,\
            "incomplete_details":{"reason":"max_output_tokens"},"model":"claude","output":[\
            {"id":"rs_0_msg_01","type":"reasoning","summary":[{"type":"summary_text","text":"t"}],"encrypted_content":"sig"},\
            {"id":"msg_1_msg_01","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"ab","annotations":[]}]},\
            {"id":"fc_2_msg_01","type":"function_call","status":"completed","call_id":"toolu_1","name":"f","arguments":"{\\"x\\":1}"},\
            {"id":"msg_3_msg_01","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"after","annotations":[]}]}],\
            "parallel_tool_calls":true,"tool_choice":"auto","tools":[],\
            "usage":{"input_tokens":1,"input_tokens_details":{"cached_tokens":0},"output_tokens":2,\
            "output_tokens_details":{"reasoning_tokens":0},"total_tokens":3}}
            """)
        #expect(ResponsesCodec.encodeResponse(ChatResponse(id: "", model: "m", created: 5))["id"] == "resp_5")
    }

    @Test func wholeRoundTripKeepsContent() throws {
        let r = try ResponsesCodec.decodeResponse(try JSON.parse(Self.wire))
        #expect(try ResponsesCodec.decodeResponse(ResponsesCodec.encodeResponse(r)) == r)
    }

    @Test func errorsUseOpenAIShape() {
        let e = GatewayError(status: 429, kind: .rateLimit, message: "slow")
        #expect(ResponsesCodec.encodeError(e) == OpenAIChatCodec.encodeError(e))
        #expect(ResponsesCodec.decodeError(status: 429, body: Array("x".utf8)).status == 429)
    }
}
