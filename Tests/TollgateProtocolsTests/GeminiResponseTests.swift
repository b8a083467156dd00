import Testing
import TollgateJSON
@testable import TollgateProtocols

@Suite struct GeminiResponseTests {
    @Test func decodeTextThoughtsCallsAndUsage() throws {
        let body = try JSON.parse("""
            {"candidates":[{"content":{"role":"model","parts":[{"text":"plan","thought":true},{"text":"Calling."},
              {"functionCall":{"name":"weather","args":{"city":"Oslo"}},"thoughtSignature":"SIG"},
              {"functionCall":{"name":"time","args":{}}}]},"finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5,"thoughtsTokenCount":7,
               "cachedContentTokenCount":4,"totalTokenCount":22},
             "modelVersion":"gemini-2.5-flash","responseId":"Ab+cd/12"}
            """)
        let r = try GeminiCodec.decodeResponse(body)
        #expect(r.id == "Ab+cd/12")
        #expect(r.model == "gemini-2.5-flash")
        #expect(r.content == [
            .thinking(text: "plan", signature: nil), .text("Calling."),
            .toolUse(id: "call_Ab_cd_12_0__ts__SIG", name: "weather", input: ["city": "Oslo"]),
            .toolUse(id: "call_Ab_cd_12_1", name: "time", input: [:]),
        ])
        #expect(r.stopReason == .toolUse)  // STOP with function calls
        #expect(r.usage == Usage(inputTokens: 10, outputTokens: 12, cachedInputTokens: 4, reasoningTokens: 7))
        #expect(GeminiCodec.usage(in: body) == r.usage)
    }

    @Test(arguments: [
        ("STOP", StopReason.endTurn), ("MAX_TOKENS", .maxTokens), ("SAFETY", .contentFilter),
        ("RECITATION", .contentFilter), ("PROHIBITED_CONTENT", .contentFilter),
        ("MALFORMED_FUNCTION_CALL", .other("MALFORMED_FUNCTION_CALL")),
    ])
    func finishReasons(raw: String, reason: StopReason) throws {
        let r = try GeminiCodec.decodeResponse(try JSON.parse(
            #"{"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"\#(raw)"}]}"#))
        #expect(r.stopReason == reason)
    }

    @Test func blockedPromptHasNoCandidates() throws {
        let r = try GeminiCodec.decodeResponse(try JSON.parse(
            #"{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":3,"totalTokenCount":3}}"#))
        #expect(r.content.isEmpty)
        #expect(r.stopReason == .contentFilter)
        #expect(r.usage.inputTokens == 3)
    }

    @Test func decodeRejectsNonObject() {
        #expect(throws: GatewayError.self) { try GeminiCodec.decodeResponse("nope") }
    }

    /// Another provider's thinking signature rides on the thought part (#16), so a Gemini
    /// client sends it back and the next turn reaches that provider signed.
    @Test func encodeForGeminiClient() throws {
        let r = ChatResponse(id: "resp1", model: "claude-x", content: [
            .thinking(text: "hm", signature: "anthropic"), .text("hi"),
            .toolUse(id: "toolu_1__ts__S", name: "f", input: .string("{\"a\":1}")),
            .redactedThinking(data: "zz"),
        ], stopReason: .toolUse, usage: Usage(inputTokens: 10, outputTokens: 20, cachedInputTokens: 2, reasoningTokens: 5))
        #expect(GeminiCodec.encodeResponse(r).jsonString == """
            {"candidates":[{"content":{"role":"model","parts":[{"text":"hm","thought":true,"thoughtSignature":"anthropic"},{"text":"hi"},\
            {"functionCall":{"id":"toolu_1","name":"f","args":{"a":1}},"thoughtSignature":"S"}]},\
            "finishReason":"STOP","index":0}],\
            "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":15,"totalTokenCount":30,\
            "cachedContentTokenCount":2,"thoughtsTokenCount":5},"modelVersion":"claude-x","responseId":"resp1"}
            """)
    }

    @Test(arguments: [
        (StopReason.endTurn, "STOP"), (.stopSequence("x"), "STOP"), (.maxTokens, "MAX_TOKENS"),
        (.contentFilter, "SAFETY"), (.other("pause_turn"), "OTHER"), (.other("SPII"), "SPII"),
    ])
    func encodeFinishReasons(reason: StopReason, raw: String) {
        #expect(GeminiFinishReason.encode(reason) == raw)
    }

    @Test func responseRoundTrip() throws {
        let wire = """
            {"candidates":[{"content":{"role":"model","parts":[{"text":"a"},\
            {"functionCall":{"id":"call_r_0","name":"f","args":{}}}]},"finishReason":"MAX_TOKENS","index":0}],\
            "usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":2,"totalTokenCount":3},\
            "modelVersion":"g","responseId":"r"}
            """
        #expect(GeminiCodec.encodeResponse(try GeminiCodec.decodeResponse(try JSON.parse(wire))).jsonString == wire)
    }
}

@Suite struct GeminiErrorTests {
    @Test(arguments: [
        (429, "RESOURCE_EXHAUSTED", GatewayError.Kind.rateLimit), (400, "INVALID_ARGUMENT", .invalidRequest),
        (401, "UNAUTHENTICATED", .authentication), (403, "PERMISSION_DENIED", .permission),
        (404, "NOT_FOUND", .notFound), (500, "INTERNAL", .apiError), (503, "UNAVAILABLE", .overloaded),
        (504, "DEADLINE_EXCEEDED", .timeout),
    ])
    func decodeAndEncodeStatuses(code: Int, status: String, kind: GatewayError.Kind) throws {
        let body = #"{"error":{"code":\#(code),"message":"m","status":"\#(status)"}}"#
        let e = GeminiCodec.decodeError(status: code, body: Array(body.utf8))
        #expect(e == GatewayError(status: code, kind: kind, message: "m"))
        #expect(GeminiCodec.encodeError(e).jsonString == body)
    }

    @Test func statusNameWinsOverHTTPCode() {
        // Gemini answers a bad API key with 400 INVALID_ARGUMENT; a 400 RESOURCE_EXHAUSTED is odd but the name rules.
        let e = GeminiCodec.decodeError(status: 400, body: Array(#"{"error":{"code":400,"message":"q","status":"RESOURCE_EXHAUSTED"}}"#.utf8))
        #expect(e.kind == .rateLimit)
        #expect(e.status == 400)
    }

    @Test func arrayWrappedAndNonJSONBodies() {
        let a = GeminiCodec.decodeError(status: 404, body: Array(#"[{"error":{"code":404,"message":"no model","status":"NOT_FOUND"}}]"#.utf8))
        #expect(a.message == "no model")
        #expect(a.kind == .notFound)
        let h = GeminiCodec.decodeError(status: 502, body: Array("<html>bad gateway</html>".utf8))
        #expect(h == GatewayError(status: 502, kind: .apiError, message: "<html>bad gateway</html>"))
    }

    @Test func gatewayErrorsInGeminiShape() {
        let e = GatewayError(status: 413, kind: .requestTooLarge, message: "too big")
        #expect(GeminiCodec.encodeError(e) == ["error": ["code": 413, "message": "too big", "status": "INVALID_ARGUMENT"]])
    }
}
