import Testing
import TollgateJSON

@testable import TollgateProtocols

@Suite struct OpenAIChatResponseTests {
    static let body = #"""
        {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Hello","reasoning_content":"think",
           "tool_calls":[{"id":"call_1","type":"function","function":{"name":"w","arguments":"{\"city\":\"Paris\"}"}}],"refusal":null},
           "logprobs":null,"finish_reason":"tool_calls"}],
         "usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120,
           "prompt_tokens_details":{"cached_tokens":60,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":5}}}
        """#

    @Test func decode() throws {
        let r = try OpenAIChatCodec.decodeResponse(StreamHarness.json(Self.body))
        #expect(r.id == "chatcmpl-1")
        #expect(r.model == "gpt-4o-mini")
        #expect(r.created == 1_700_000_000)
        #expect(
            r.content == [
                .thinking(text: "think", signature: nil), .text("Hello"),
                .toolUse(id: "call_1", name: "w", input: ["city": "Paris"]),
            ])
        #expect(r.stopReason == .toolUse)
        #expect(r.usage == Usage(inputTokens: 100, outputTokens: 20, cachedInputTokens: 60, reasoningTokens: 5))
    }

    @Test func usageInBody() {
        #expect(
            OpenAIChatCodec.usage(in: StreamHarness.json(Self.body))
                == Usage(inputTokens: 100, outputTokens: 20, cachedInputTokens: 60, reasoningTokens: 5))
        #expect(OpenAIChatCodec.usage(in: ["id": "x"]) == nil)
    }

    @Test func reasoningFieldAlias() throws {
        let r = try OpenAIChatCodec.decodeResponse(
            StreamHarness.json(#"{"id":"x","model":"m","choices":[{"message":{"role":"assistant","reasoning":"r","content":"c"},"finish_reason":"stop"}]}"#))
        #expect(r.content == [.thinking(text: "r", signature: nil), .text("c")])
        #expect(r.stopReason == .endTurn)
    }

    @Test func notAChatCompletionIs502() {
        do {
            _ = try OpenAIChatCodec.decodeResponse(["object": "list"])
            Issue.record("expected a throw")
        } catch {
            #expect(error.status == 502)
        }
    }

    @Test func finishReasonTable() {
        let decoded: [(String, StopReason)] = [
            ("stop", .endTurn), ("length", .maxTokens), ("tool_calls", .toolUse), ("function_call", .toolUse),
            ("content_filter", .contentFilter), ("weird", .other("weird")),
        ]
        for (wire, reason) in decoded { #expect(OpenAIChatFinishReason.decode(wire) == reason) }
        let encoded: [(StopReason, String)] = [
            (.endTurn, "stop"), (.maxTokens, "length"), (.toolUse, "tool_calls"), (.contentFilter, "content_filter"),
            (.stopSequence("END"), "stop"), (.stopSequence(nil), "stop"), (.other("pause_turn"), "stop"),
        ]
        for (reason, wire) in encoded { #expect(OpenAIChatFinishReason.encode(reason) == wire) }
    }

    @Test func encode() {
        let r = ChatResponse(
            id: "msg_1", model: "claude", created: 1_700_000_000,
            content: [
                .thinking(text: "th", signature: "sig"), .redactedThinking(data: "x"), .text("Hi "), .text("there"),
                .toolUse(id: "t1", name: "f", input: ["a": 1]),
            ],
            stopReason: .toolUse,
            usage: Usage(inputTokens: 10, outputTokens: 4, cachedInputTokens: 3, cacheCreationInputTokens: 2, reasoningTokens: 1))
        let expected = StreamHarness.json(
            #"""
            {"id":"msg_1","object":"chat.completion","created":1700000000,"model":"claude",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hi there","reasoning_content":"th",
               "thinking_blocks":[{"type":"thinking","thinking":"th","signature":"sig"},{"type":"redacted_thinking","data":"x"}],
               "tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}],"refusal":null},
               "logprobs":null,"finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":10,"completion_tokens":4,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":3},
               "completion_tokens_details":{"reasoning_tokens":1},"cache_creation_input_tokens":2}}
            """#)
        #expect(OpenAIChatCodec.encodeResponse(r) == expected)
    }

    @Test func encodeWithoutTextHasNullContentAndACreatedTime() {
        let body = OpenAIChatCodec.encodeResponse(ChatResponse(id: "x", model: "m", content: [.toolUse(id: "a", name: "b", input: [:])]))
        #expect(body["choices"]?[0]?["message"]?["content"] == .null)
        #expect(body["choices"]?[0]?["finish_reason"] == "stop")
        #expect((body["created"]?.int ?? 0) > 1_600_000_000)
    }

    @Test func roundTrip() throws {
        let r = try OpenAIChatCodec.decodeResponse(StreamHarness.json(Self.body))
        #expect(try OpenAIChatCodec.decodeResponse(OpenAIChatCodec.encodeResponse(r)) == r)
    }
}

@Suite struct OpenAIChatErrorTests {
    @Test func decodeOpenAIErrorBody() {
        let body = Array(#"{"error":{"message":"Invalid model","type":"invalid_request_error","param":"model","code":"model_not_found"}}"#.utf8)
        let e = OpenAIChatCodec.decodeError(status: 404, body: body)
        #expect(e == GatewayError(status: 404, kind: .notFound, message: "Invalid model", param: "model", code: "model_not_found"))
    }

    @Test func decodeKeepsStatusForEachKind() {
        let body = Array(#"{"error":{"message":"m","type":"x"}}"#.utf8)
        let kinds: [(Int, GatewayError.Kind)] = [
            (400, .invalidRequest), (401, .authentication), (403, .permission), (404, .notFound), (413, .requestTooLarge),
            (429, .rateLimit), (500, .apiError), (502, .apiError), (503, .overloaded), (504, .timeout),
        ]
        for (status, kind) in kinds {
            let e = OpenAIChatCodec.decodeError(status: status, body: body)
            #expect(e.status == status)
            #expect(e.kind == kind)
            #expect(e.message == "m")
        }
    }

    @Test func decodeOtherShapesAndRawText() {
        #expect(OpenAIChatCodec.decodeError(status: 400, body: Array(#"{"error":"bad thing"}"#.utf8)).message == "bad thing")
        #expect(OpenAIChatCodec.decodeError(status: 422, body: Array(#"{"message":"nope"}"#.utf8)).message == "nope")
        let raw = OpenAIChatCodec.decodeError(status: 502, body: Array("<html>Bad Gateway</html>".utf8))
        #expect(raw == GatewayError(status: 502, kind: .apiError, message: "<html>Bad Gateway</html>"))
        #expect(OpenAIChatCodec.decodeError(status: 500, body: []).message.contains("500"))
        // Numeric codes (some compatible servers) become strings.
        #expect(OpenAIChatCodec.decodeError(status: 429, body: Array(#"{"error":{"message":"x","code":429}}"#.utf8)).code == "429")
    }

    @Test func encodeTypeForEachKind() {
        let types: [(GatewayError.Kind, String)] = [
            (.invalidRequest, "invalid_request_error"), (.authentication, "authentication_error"),
            (.permission, "permission_error"), (.notFound, "not_found_error"), (.requestTooLarge, "invalid_request_error"),
            (.rateLimit, "rate_limit_error"), (.apiError, "api_error"), (.timeout, "timeout"), (.overloaded, "api_error"),
        ]
        for (kind, type) in types {
            let body = OpenAIChatCodec.encodeError(GatewayError(status: 400, kind: kind, message: "m"))
            #expect(body["error"]?["type"]?.string == type)
            #expect(body["error"]?["message"] == "m")
            #expect(body["error"]?["param"] == .null)
        }
        let e = OpenAIChatCodec.encodeError(.badRequest("Missing model", param: "model"))
        #expect(e == ["error": ["message": "Missing model", "type": "invalid_request_error", "param": "model", "code": nil]])
        let r = OpenAIChatCodec.encodeError(GatewayError(status: 429, kind: .rateLimit, message: "slow"))
        #expect(r["error"]?["code"] == "rate_limit_exceeded")
    }

    @Test func errorRoundTrip() {
        let e = GatewayError(status: 403, kind: .permission, message: "no", param: "model", code: "model_not_allowed")
        #expect(OpenAIChatCodec.decodeError(status: 403, body: OpenAIChatCodec.encodeError(e).serialized()) == e)
    }
}
