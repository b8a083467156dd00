import Testing
import TollgateJSON
@testable import TollgateProtocols

private func decodeByteByByte(_ text: String) -> [StreamEvent] {
    var d = GeminiCodec.makeStreamDecoder()
    var out: [StreamEvent] = []
    for b in Array(text.utf8) { out += d.feed([b]) }
    return out + d.finish()
}

private func encode(_ events: [StreamEvent], model: String = "fallback") -> String {
    var e = GeminiCodec.makeStreamEncoder(StreamEncoderOptions(model: model))
    var out: [UInt8] = []
    for ev in events { e.encode(ev, into: &out) }
    return String(decoding: out, as: UTF8.self)
}

@Suite struct GeminiStreamDecoderTests {
    // What the API sends: CRLF framing, usage on every chunk, the call whole in one chunk.
    static let wire = """
        data: {"candidates":[{"content":{"parts":[{"text":"Thinking…","thought":true}],"role":"model"},"index":0}],\
        "usageMetadata":{"promptTokenCount":8,"totalTokenCount":8},"modelVersion":"gemini-2.5-flash","responseId":"R1"}\r
        \r
        data: {"candidates":[{"content":{"parts":[{"text":"Héllo "}],"role":"model"},"index":0}],\
        "usageMetadata":{"promptTokenCount":8,"totalTokenCount":8},"modelVersion":"gemini-2.5-flash","responseId":"R1"}\r
        \r
        data: {"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{"q":"🙂"}}}],"role":"model"},\
        "finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":6,\
        "thoughtsTokenCount":3,"totalTokenCount":17},"modelVersion":"gemini-2.5-flash","responseId":"R1"}\r
        \r

        """

    @Test func decodesOneByteAtATime() {
        #expect(decodeByteByByte(Self.wire) == [
            .start(id: "R1", model: "gemini-2.5-flash"),
            .thinkingDelta("Thinking…"),
            .usage(Usage(inputTokens: 8)),
            .textDelta("Héllo "),
            .toolCallStart(index: 0, id: "call_R1_0", name: "f"),
            .toolCallArgumentsDelta(index: 0, fragment: #"{"q":"🙂"}"#),
            .finish(.toolUse),
            .usage(Usage(inputTokens: 8, outputTokens: 9, reasoningTokens: 3)),
            .end,
        ])
    }

    @Test func callIndicesCountAcrossChunks() {
        let s = """
            data: {"candidates":[{"content":{"parts":[{"functionCall":{"name":"a","args":{}}}]}}]}

            data: {"candidates":[{"content":{"parts":[{"functionCall":{"id":"x","name":"b","args":{}}}]},"finishReason":"MAX_TOKENS"}]}

            """
        #expect(decodeByteByByte(s) == [
            .start(id: "", model: ""),
            .toolCallStart(index: 0, id: "call_0", name: "a"), .toolCallArgumentsDelta(index: 0, fragment: "{}"),
            .toolCallStart(index: 1, id: "x", name: "b"), .toolCallArgumentsDelta(index: 1, fragment: "{}"),
            .finish(.maxTokens), .end,
        ])
    }

    @Test func errorChunkEndsTheStream() {
        let s = """
            data: {"candidates":[{"content":{"parts":[{"text":"a"}]}}]}

            data: {"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}}

            data: {"candidates":[{"content":{"parts":[{"text":"ignored"}]}}]}

            """
        #expect(decodeByteByByte(s) == [
            .start(id: "", model: ""), .textDelta("a"),
            .error(GatewayError(status: 503, kind: .overloaded, message: "overloaded")),
        ])
    }

    @Test func malformedChunkIsAnError() {
        let events = decodeByteByByte("data: {not json\n\n")
        #expect(events.count == 1)
        if case .error(let e) = events.first { #expect(e.status == 502) } else { Issue.record("expected error") }
    }

    @Test func lastChunkWithoutBlankLineIsStillRead() {
        #expect(decodeByteByByte(#"data: {"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"STOP"}]}"#) == [
            .start(id: "", model: ""), .textDelta("x"), .finish(.endTurn), .end,
        ])
    }
}

@Suite struct GeminiStreamEncoderTests {
    @Test func textThenCallsThenFinalChunk() {
        let s = encode([
            .start(id: "chatcmpl-1", model: ""),
            .thinkingDelta("t"), .thinkingSignature("sig"),
            .textDelta("Hi"),
            .toolCallStart(index: 0, id: "call_a", name: "f"),
            .toolCallArgumentsDelta(index: 0, fragment: #"{"x""#),
            .toolCallArgumentsDelta(index: 0, fragment: ":1}"),
            .finish(.toolUse),
            .usage(Usage(inputTokens: 5, outputTokens: 7, reasoningTokens: 2)),
            .end,
        ])
        #expect(s == """
            data: {"candidates":[{"content":{"role":"model","parts":[{"text":"t","thought":true}]},"index":0}],"modelVersion":"fallback","responseId":"chatcmpl-1"}\r
            \r
            data: {"candidates":[{"content":{"role":"model","parts":[{"text":"","thought":true,"thoughtSignature":"sig"}]},"index":0}],"modelVersion":"fallback","responseId":"chatcmpl-1"}\r
            \r
            data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Hi"}]},"index":0}],"modelVersion":"fallback","responseId":"chatcmpl-1"}\r
            \r
            data: {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"id":"call_a","name":"f","args":{"x":1}}}]},\
            "finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":5,"totalTokenCount":12,\
            "thoughtsTokenCount":2},"modelVersion":"fallback","responseId":"chatcmpl-1"}\r
            \r

            """)
    }

    @Test func plainEndHasEmptyTextPart() {
        let s = encode([.start(id: "", model: "m"), .textDelta("a"), .finish(.maxTokens), .end])
        #expect(s.hasSuffix("""
            data: {"candidates":[{"content":{"role":"model","parts":[{"text":""}]},"finishReason":"MAX_TOKENS","index":0}],\
            "usageMetadata":{"promptTokenCount":0,"candidatesTokenCount":0,"totalTokenCount":0},"modelVersion":"m"}\r
            \r

            """))
    }

    @Test func errorIsGeminiShapedAndFinal() {
        let s = encode([.start(id: "", model: "m"), .error(GatewayError(status: 429, kind: .rateLimit, message: "slow")), .end])
        #expect(s == """
            data: {"error":{"code":429,"message":"slow","status":"RESOURCE_EXHAUSTED"}}\r
            \r

            """)
    }

    @Test func encoderOutputDecodesBackToTheSameEvents() {
        let events: [StreamEvent] = [
            .start(id: "R", model: "m"), .textDelta("a"), .textDelta("b"),
            .toolCallStart(index: 0, id: "c0", name: "f"), .toolCallArgumentsDelta(index: 0, fragment: "{}"),
            .finish(.toolUse), .usage(Usage(inputTokens: 1, outputTokens: 2)), .end,
        ]
        #expect(decodeByteByByte(encode(events)) == events)
    }
}
