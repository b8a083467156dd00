import Testing
import TollgateJSON

@testable import TollgateProtocols

@Suite struct AnthropicResponseTests {
    static let body = #"""
        {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4",
         "content":[{"type":"thinking","thinking":"hm","signature":"sig"},{"type":"text","text":"Hi"},
           {"type":"server_tool_use","id":"srv","name":"web_search","input":{}},
           {"type":"tool_use","id":"toolu_1","name":"w","input":{"city":"Paris"}}],
         "stop_reason":"tool_use","stop_sequence":null,
         "usage":{"input_tokens":10,"cache_creation_input_tokens":20,"cache_read_input_tokens":30,"output_tokens":5}}
        """#

    @Test func decode() throws {
        let r = try AnthropicCodec.decodeResponse(StreamHarness.json(Self.body))
        #expect(r.id == "msg_1")
        #expect(r.model == "claude-sonnet-4")
        #expect(
            r.content == [
                .thinking(text: "hm", signature: "sig"), .text("Hi"), .toolUse(id: "toolu_1", name: "w", input: ["city": "Paris"]),
            ])
        #expect(r.stopReason == .toolUse)
        // Canonical input counts every prompt token: 10 uncached + 20 written + 30 read.
        #expect(r.usage == Usage(inputTokens: 60, outputTokens: 5, cachedInputTokens: 30, cacheCreationInputTokens: 20))
    }

    @Test func usageInBody() {
        #expect(AnthropicCodec.usage(in: StreamHarness.json(Self.body))?.inputTokens == 60)
        #expect(AnthropicCodec.usage(in: ["id": "x"]) == nil)
    }

    @Test func stopReasonTable() {
        let decoded: [(String, String?, StopReason)] = [
            ("end_turn", nil, .endTurn), ("max_tokens", nil, .maxTokens), ("tool_use", nil, .toolUse),
            ("stop_sequence", "END", .stopSequence("END")), ("refusal", nil, .contentFilter), ("pause_turn", nil, .other("pause_turn")),
        ]
        for (wire, seq, reason) in decoded { #expect(AnthropicStopReason.decode(wire, sequence: seq) == reason) }
        let encoded: [(StopReason, String, String?)] = [
            (.endTurn, "end_turn", nil), (.maxTokens, "max_tokens", nil), (.toolUse, "tool_use", nil),
            (.stopSequence("END"), "stop_sequence", "END"), (.contentFilter, "refusal", nil),
            (.other("pause_turn"), "pause_turn", nil), (.other("function_call"), "end_turn", nil),
        ]
        for (reason, wire, seq) in encoded {
            let e = AnthropicStopReason.encode(reason)
            #expect(e.reason == wire)
            #expect(e.sequence == seq)
        }
    }

    @Test func encode() {
        let r = ChatResponse(
            id: "chatcmpl-1", model: "gpt-4o",
            content: [.thinking(text: "r", signature: nil), .text("Hello"), .toolUse(id: "c", name: "f", input: ["a": 1])],
            stopReason: .stopSequence("END"),
            usage: Usage(inputTokens: 100, outputTokens: 7, cachedInputTokens: 60, reasoningTokens: 2))
        let expected = StreamHarness.json(
            #"""
            {"id":"chatcmpl-1","type":"message","role":"assistant","model":"gpt-4o",
             "content":[{"type":"thinking","thinking":"r","signature":""},{"type":"text","text":"Hello"},
               {"type":"tool_use","id":"c","name":"f","input":{"a":1}}],
             "stop_reason":"stop_sequence","stop_sequence":"END",
             "usage":{"input_tokens":40,"cache_creation_input_tokens":0,"cache_read_input_tokens":60,"output_tokens":7}}
            """#)
        #expect(AnthropicCodec.encodeResponse(r) == expected)
    }

    @Test func encodeWithoutStopReasonSaysEndTurn() {
        #expect(AnthropicCodec.encodeResponse(ChatResponse(id: "a", model: "m"))["stop_reason"] == "end_turn")
    }

    @Test func notAMessageIs502() {
        do {
            _ = try AnthropicCodec.decodeResponse(["type": "error"])
            Issue.record("expected a throw")
        } catch {
            #expect(error.status == 502)
        }
    }

    @Test func roundTrip() throws {
        let r = try AnthropicCodec.decodeResponse(StreamHarness.json(Self.body))
        #expect(try AnthropicCodec.decodeResponse(AnthropicCodec.encodeResponse(r)) == r)
    }
}

@Suite struct AnthropicErrorTests {
    @Test func decodeAnthropicBody() {
        let body = Array(#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"}"#.utf8)
        #expect(AnthropicCodec.decodeError(status: 529, body: body) == GatewayError(status: 529, kind: .overloaded, message: "Overloaded"))
    }

    @Test func decodeKeepsStatusForEachKind() {
        let kinds: [(Int, String, GatewayError.Kind)] = [
            (400, "invalid_request_error", .invalidRequest), (401, "authentication_error", .authentication),
            (403, "permission_error", .permission), (404, "not_found_error", .notFound), (413, "request_too_large", .requestTooLarge),
            (429, "rate_limit_error", .rateLimit), (500, "api_error", .apiError), (504, "timeout_error", .timeout),
            (529, "overloaded_error", .overloaded),
        ]
        for (status, type, kind) in kinds {
            let e = AnthropicCodec.decodeError(status: status, body: Array(#"{"type":"error","error":{"type":"\#(type)","message":"m"}}"#.utf8))
            #expect(e == GatewayError(status: status, kind: kind, message: "m"))
        }
    }

    @Test func finerTypesAreKeptAsCode() {
        let e = AnthropicCodec.decodeError(status: 402, body: Array(#"{"type":"error","error":{"type":"billing_error","message":"pay"}}"#.utf8))
        #expect(e.status == 402)
        #expect(e.code == "billing_error")
    }

    @Test func fallbackToStatusAndText() {
        #expect(AnthropicCodec.decodeError(status: 503, body: Array("upstream connect error".utf8)) == GatewayError(status: 503, kind: .overloaded, message: "upstream connect error"))
        #expect(AnthropicCodec.decodeError(status: 401, body: Array(#"{"error":{"message":"bad key","type":"invalid_request_error"}}"#.utf8)).kind == .authentication)
    }

    @Test func encodeTypeForEachKind() {
        let types: [(GatewayError.Kind, String)] = [
            (.invalidRequest, "invalid_request_error"), (.authentication, "authentication_error"), (.permission, "permission_error"),
            (.notFound, "not_found_error"), (.requestTooLarge, "request_too_large"), (.rateLimit, "rate_limit_error"),
            (.apiError, "api_error"), (.timeout, "timeout_error"), (.overloaded, "overloaded_error"),
        ]
        for (kind, type) in types {
            #expect(
                AnthropicCodec.encodeError(GatewayError(status: 500, kind: kind, message: "m"))
                    == ["type": "error", "error": ["type": .string(type), "message": "m"]])
        }
    }
}
