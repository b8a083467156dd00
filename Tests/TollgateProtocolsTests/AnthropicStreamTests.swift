import Testing
import TollgateJSON

@testable import TollgateProtocols

@Suite struct AnthropicStreamDecodeTests {
    static func event(_ name: String, _ data: String) -> String { "event: \(name)\ndata: \(data)\n\n" }

    /// A recorded-style stream: thinking with signature, text with multibyte characters, a
    /// tool call streamed as JSON fragments, a ping, and usage at both ends.
    static let recorded = Array(
        [
            event(
                "message_start",
                #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":90,"output_tokens":1}}}"#
            ),
            event("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#),
            event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me"}}"#),
            event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQB"}}"#),
            event("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            event("ping", #"{"type": "ping"}"#),
            event("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#),
            event("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Héllo 👋🏽"}}"#),
            event("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
            event(
                "content_block_start",
                #"{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"w","input":{}}}"#),
            event("content_block_delta", #"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}"#),
            event("content_block_delta", #"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Par"}}"#),
            event("content_block_delta", #"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"is\"}"}}"#),
            event("content_block_stop", #"{"type":"content_block_stop","index":2}"#),
            event("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":42}}"#),
            event("message_stop", #"{"type":"message_stop"}"#),
        ].joined().utf8)

    static let expected: [StreamEvent] = [
        .start(id: "msg_1", model: "claude-sonnet-4"),
        .usage(Usage(inputTokens: 100, outputTokens: 1, cachedInputTokens: 90)),
        .thinkingDelta("Let me"), .thinkingSignature("EqQB"),
        .textDelta("Héllo 👋🏽"),
        .toolCallStart(index: 0, id: "toolu_1", name: "w"),
        .toolCallArgumentsDelta(index: 0, fragment: #"{"city": "Par"#),
        .toolCallArgumentsDelta(index: 0, fragment: #"is"}"#),
        .finish(.toolUse),
        .usage(Usage(outputTokens: 42)),
        .end,
    ]

    @Test func recordedStream() {
        #expect(StreamHarness.decode(AnthropicCodec.makeStreamDecoder, Self.recorded) == Self.expected)
    }

    @Test func everySplitPoint() {
        for cut in 0...Self.recorded.count {
            #expect(StreamHarness.decode(AnthropicCodec.makeStreamDecoder, Self.recorded, cuts: [cut]) == Self.expected, "cut \(cut)")
        }
    }

    @Test func oneByteAtATime() {
        #expect(StreamHarness.decodeByteByByte(AnthropicCodec.makeStreamDecoder, Self.recorded) == Self.expected)
    }

    @Test func toolOrdinalsSkipOtherBlocks() {
        let bytes = Array(
            [
                Self.event("message_start", #"{"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":0,"output_tokens":0}}}"#),
                Self.event("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"a"}}"#),
                Self.event("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t1","name":"f","input":{}}}"#),
                Self.event("content_block_start", #"{"type":"content_block_start","index":2,"content_block":{"type":"redacted_thinking","data":"x"}}"#),
                Self.event("content_block_start", #"{"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"t2","name":"g","input":{"k":1}}}"#),
                Self.event("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{}"}}"#),
                Self.event("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"END"},"usage":{"output_tokens":3}}"#),
                Self.event("message_stop", #"{"type":"message_stop"}"#),
            ].joined().utf8)
        #expect(
            StreamHarness.decode(AnthropicCodec.makeStreamDecoder, bytes) == [
                .start(id: "m", model: "c"), .textDelta("a"),
                .toolCallStart(index: 0, id: "t1", name: "f"), .redactedThinking("x"),
                .toolCallStart(index: 1, id: "t2", name: "g"), .toolCallArgumentsDelta(index: 1, fragment: #"{"k":1}"#),
                .toolCallArgumentsDelta(index: 0, fragment: "{}"),
                .finish(.stopSequence("END")), .usage(Usage(outputTokens: 3)), .end,
            ])
    }

    @Test func errorEvent() {
        let bytes = Array(
            (Self.event("message_start", #"{"type":"message_start","message":{"id":"m","model":"c"}}"#)
                + Self.event("error", #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)).utf8)
        #expect(
            StreamHarness.decode(AnthropicCodec.makeStreamDecoder, bytes) == [
                .start(id: "m", model: "c"), .error(GatewayError(status: 529, kind: .overloaded, message: "Overloaded")),
            ])
    }

    @Test func cutShortIsAnErrorAndAfterStopReasonIsAnEnd() {
        let start = Self.event("message_start", #"{"type":"message_start","message":{"id":"m","model":"c"}}"#)
        let cut = StreamHarness.decode(AnthropicCodec.makeStreamDecoder, Array(start.utf8))
        guard case .error(let e)? = cut.last else {
            Issue.record("expected an error")
            return
        }
        #expect(e.status == 502)
        let stopped = start + Self.event("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":1}}"#)
        #expect(StreamHarness.decode(AnthropicCodec.makeStreamDecoder, Array(stopped.utf8)).last == .end)
    }
}

@Suite struct AnthropicStreamEncodeTests {
    static func encode(_ events: [StreamEvent], model: String = "fallback") -> [UInt8] {
        StreamHarness.encode(AnthropicCodec.makeStreamEncoder(StreamEncoderOptions(includeUsage: false, model: model)), events)
    }

    @Test func exactBytes() {
        let out = Self.encode([
            .start(id: "chatcmpl-1", model: "gpt-4o"), .usage(Usage(inputTokens: 50, cachedInputTokens: 20)),
            .thinkingDelta("r"), .textDelta("Hi \"there\""), .textDelta("!"),
            .toolCallStart(index: 0, id: "call_1", name: "f"), .toolCallArgumentsDelta(index: 0, fragment: #"{"a":"#),
            .toolCallArgumentsDelta(index: 0, fragment: "1}"),
            .finish(.toolUse), .usage(Usage(inputTokens: 50, outputTokens: 9, cachedInputTokens: 20)), .end,
        ])
        let expected = [
            ("message_start", #"{"type":"message_start","message":{"id":"chatcmpl-1","type":"message","role":"assistant","model":"gpt-4o","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":30,"cache_creation_input_tokens":0,"cache_read_input_tokens":20,"output_tokens":0}}}"#),
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"r"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            ("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hi \"there\""}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"!"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
            ("content_block_start", #"{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"call_1","name":"f","input":{}}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"1}"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":2}"#),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":30,"cache_creation_input_tokens":0,"cache_read_input_tokens":20,"output_tokens":9}}"#),
            ("message_stop", #"{"type":"message_stop"}"#),
        ].map { "event: \($0.0)\ndata: \($0.1)\n\n" }.joined()
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test func missingStartIsSynthesizedAndEmptyStreamIsValid() {
        let payloads = StreamHarness.payloads(Self.encode([.end], model: "claude-x"))
        #expect(payloads.map(\.event) == ["message_start", "message_delta", "message_stop"])
        #expect(payloads[0].json?["message"]?["model"] == "claude-x")
        #expect(payloads[0].json?["message"]?["id"]?.string?.hasPrefix("msg_") == true)
        #expect(payloads[1].json?["delta"]?["stop_reason"] == "end_turn")
    }

    @Test func signatureClosesThinkingCorrectly() {
        let payloads = StreamHarness.payloads(
            Self.encode([.start(id: "m", model: "c"), .thinkingDelta("a"), .thinkingSignature("sig"), .textDelta("b"), .finish(.endTurn), .end]))
        #expect(
            payloads.map(\.event) == [
                "message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop",
            ])
        #expect(payloads[3].json?["delta"] == ["type": "signature_delta", "signature": "sig"])
    }

    @Test func stopSequenceAndUsageAfterFinish() {
        let payloads = StreamHarness.payloads(
            Self.encode([
                .start(id: "m", model: "c"), .textDelta("x"), .finish(.stopSequence("END")),
                .usage(Usage(inputTokens: 7, outputTokens: 2)), .end,
            ]))
        let delta = payloads[payloads.count - 2].json
        #expect(delta?["delta"] == ["stop_reason": "stop_sequence", "stop_sequence": "END"])
        #expect(delta?["usage"]?["input_tokens"] == 7)
        #expect(delta?["usage"]?["output_tokens"] == 2)
    }

    @Test func errorEventEndsTheStream() {
        let payloads = StreamHarness.payloads(
            Self.encode([.start(id: "m", model: "c"), .textDelta("x"), .error(GatewayError(status: 429, kind: .rateLimit, message: "slow")), .end]))
        #expect(payloads.last?.event == "error")
        #expect(payloads.last?.json == ["type": "error", "error": ["type": "rate_limit_error", "message": "slow"]])
    }

    /// Fragments of a call that began while another's block was open are kept (#16; they were
    /// dropped): the call goes out whole in its own block once the open one ends.
    @Test func interleavedToolFragmentsAreKeptForTheHeldCall() {
        let payloads = StreamHarness.payloads(
            Self.encode([
                .toolCallStart(index: 0, id: "a", name: "f"), .toolCallStart(index: 1, id: "b", name: "g"),
                .toolCallArgumentsDelta(index: 0, fragment: "{}"), .toolCallArgumentsDelta(index: 1, fragment: "[]"), .end,
            ]))
        let deltas = payloads.filter { $0.event == "content_block_delta" }
        #expect(deltas.count == 2)
        #expect(deltas[0].json?["index"] == 0 && deltas[0].json?["delta"]?["partial_json"] == "{}")
        #expect(deltas[1].json?["index"] == 1 && deltas[1].json?["delta"]?["partial_json"] == "[]")
    }

    /// Decoding what the encoder wrote gives back the events (usage merged, as consumers keep
    /// the maximum of each field).
    @Test func roundTripThroughDecoder() {
        let events: [StreamEvent] = [
            .start(id: "m", model: "c"), .usage(Usage(inputTokens: 30, cachedInputTokens: 10, cacheCreationInputTokens: 5)),
            .thinkingDelta("t"), .thinkingSignature("s"), .textDelta("é"),
            .toolCallStart(index: 0, id: "a", name: "f"), .toolCallArgumentsDelta(index: 0, fragment: "{"),
            .toolCallArgumentsDelta(index: 0, fragment: "}"), .finish(.toolUse), .usage(Usage(outputTokens: 4)), .end,
        ]
        let decoded = StreamHarness.decode(AnthropicCodec.makeStreamDecoder, Self.encode(events))
        #expect(
            decoded == [
                .start(id: "m", model: "c"), .usage(Usage(inputTokens: 30, cachedInputTokens: 10, cacheCreationInputTokens: 5)),
                .thinkingDelta("t"), .thinkingSignature("s"), .textDelta("é"),
                .toolCallStart(index: 0, id: "a", name: "f"), .toolCallArgumentsDelta(index: 0, fragment: "{"),
                .toolCallArgumentsDelta(index: 0, fragment: "}"), .finish(.toolUse),
                .usage(Usage(inputTokens: 30, outputTokens: 4, cachedInputTokens: 10, cacheCreationInputTokens: 5)), .end,
            ])
    }
}
