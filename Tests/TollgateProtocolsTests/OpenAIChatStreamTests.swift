import Testing
import TollgateJSON

@testable import TollgateProtocols

@Suite struct OpenAIChatStreamDecodeTests {
    static let head = #""id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini""#
    static func chunk(_ delta: String, finish: String = "null", usage: String = "null") -> String {
        #"{\#(head),"choices":[{"index":0,"delta":\#(delta),"logprobs":null,"finish_reason":\#(finish)}],"usage":\#(usage)}"#
    }

    /// A recorded-style stream: role chunk, text with multibyte characters, two tool calls
    /// with argument fragments, finish, usage chunk, [DONE].
    static let recorded = StreamHarness.sse([
        chunk(#"{"role":"assistant","content":"","refusal":null}"#),
        chunk(#"{"content":"Héllo 👋🏽"}"#),
        chunk(#"{"content":" 日本"}"#),
        chunk(#"{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"w","arguments":""}}]}"#),
        chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}"#),
        chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]}"#),
        chunk(#"{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"t","arguments":"{}"}}]}"#),
        chunk("{}", finish: #""tool_calls""#),
        #"{\#(head),"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":7,"total_tokens":16,"prompt_tokens_details":{"cached_tokens":2},"completion_tokens_details":{"reasoning_tokens":0}}}"#,
        "[DONE]",
    ])

    static let expected: [StreamEvent] = [
        .start(id: "chatcmpl-1", model: "gpt-4o-mini"),
        .textDelta("Héllo 👋🏽"), .textDelta(" 日本"),
        .toolCallStart(index: 0, id: "call_a", name: "w"),
        .toolCallArgumentsDelta(index: 0, fragment: #"{"city":"#),
        .toolCallArgumentsDelta(index: 0, fragment: #""Paris"}"#),
        .toolCallStart(index: 1, id: "call_b", name: "t"),
        .toolCallArgumentsDelta(index: 1, fragment: "{}"),
        .finish(.toolUse),
        .usage(Usage(inputTokens: 9, outputTokens: 7, cachedInputTokens: 2)),
        .end,
    ]

    @Test func recordedStream() {
        #expect(StreamHarness.decode(OpenAIChatCodec.makeStreamDecoder, Self.recorded) == Self.expected)
    }

    @Test func everySplitPoint() {
        for cut in 0...Self.recorded.count {
            #expect(StreamHarness.decode(OpenAIChatCodec.makeStreamDecoder, Self.recorded, cuts: [cut]) == Self.expected, "cut \(cut)")
        }
    }

    @Test func oneByteAtATime() {
        #expect(StreamHarness.decodeByteByByte(OpenAIChatCodec.makeStreamDecoder, Self.recorded) == Self.expected)
    }

    @Test func reasoningContentDeltas() {
        let bytes = StreamHarness.sse([
            Self.chunk(#"{"role":"assistant","reasoning_content":"let me"}"#), Self.chunk(#"{"reasoning":" think"}"#),
            Self.chunk(#"{"content":"ok"}"#, finish: #""stop""#), "[DONE]",
        ])
        #expect(
            StreamHarness.decode(OpenAIChatCodec.makeStreamDecoder, bytes) == [
                .start(id: "chatcmpl-1", model: "gpt-4o-mini"), .thinkingDelta("let me"), .thinkingDelta(" think"),
                .textDelta("ok"), .finish(.endTurn), .end,
            ])
    }

    @Test func usageOnTheFinishChunk() {
        let bytes = StreamHarness.sse([
            Self.chunk(#"{"content":"x"}"#),
            Self.chunk("{}", finish: #""length""#, usage: #"{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}"#),
            "[DONE]",
        ])
        #expect(
            StreamHarness.decode(OpenAIChatCodec.makeStreamDecoder, bytes) == [
                .start(id: "chatcmpl-1", model: "gpt-4o-mini"), .textDelta("x"), .finish(.maxTokens),
                .usage(Usage(inputTokens: 1, outputTokens: 2)), .end,
            ])
    }

    @Test func azureFilterChunkDoesNotStartTheStream() {
        let bytes = StreamHarness.sse([
            #"{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[]}"#,
            Self.chunk(#"{"content":"x"}"#, finish: #""stop""#), "[DONE]",
        ])
        #expect(
            StreamHarness.decode(OpenAIChatCodec.makeStreamDecoder, bytes) == [
                .start(id: "chatcmpl-1", model: "gpt-4o-mini"), .textDelta("x"), .finish(.endTurn), .end,
            ])
    }

    @Test func serversThatNumberEveryToolCallZero() {
        let bytes = StreamHarness.sse([
            Self.chunk(#"{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{}"}}]}"#),
            Self.chunk(#"{"tool_calls":[{"index":0,"id":"b","function":{"name":"g","arguments":"{\"x\":1}"}}]}"#),
            Self.chunk(#"{"tool_calls":[{"index":0,"id":"b","function":{"arguments":""}}]}"#),
            Self.chunk("{}", finish: #""tool_calls""#), "[DONE]",
        ])
        #expect(
            StreamHarness.decode(OpenAIChatCodec.makeStreamDecoder, bytes) == [
                .start(id: "chatcmpl-1", model: "gpt-4o-mini"),
                .toolCallStart(index: 0, id: "a", name: "f"), .toolCallArgumentsDelta(index: 0, fragment: "{}"),
                .toolCallStart(index: 1, id: "b", name: "g"), .toolCallArgumentsDelta(index: 1, fragment: #"{"x":1}"#),
                .finish(.toolUse), .end,
            ])
    }

    @Test func errorChunk() {
        let bytes = StreamHarness.sse([
            Self.chunk(#"{"content":"x"}"#), #"{"error":{"message":"overloaded","type":"server_error","code":null}}"#,
        ])
        let events = StreamHarness.decode(OpenAIChatCodec.makeStreamDecoder, bytes)
        #expect(events.count == 3)
        #expect(events.last == .error(GatewayError(status: 500, kind: .apiError, message: "overloaded")))
    }

    @Test func closeWithoutDoneAfterFinishEndsNormally() {
        let bytes = Array("data: \(Self.chunk("{}", finish: #""stop""#))".utf8)  // not even a blank line
        #expect(StreamHarness.decode(OpenAIChatCodec.makeStreamDecoder, bytes).last == .end)
    }

    @Test func closeBeforeFinishIsAnError() {
        let events = StreamHarness.decode(OpenAIChatCodec.makeStreamDecoder, StreamHarness.sse([Self.chunk(#"{"content":"x"}"#)]))
        guard case .error(let e)? = events.last else {
            Issue.record("expected an error, got \(events)")
            return
        }
        #expect(e.status == 502)
    }

    @Test func keepAliveCommentsAreIgnored() {
        let bytes = Array(": OPENROUTER PROCESSING\n\n".utf8) + StreamHarness.sse([Self.chunk("{}", finish: #""stop""#), "[DONE]"])
        #expect(
            StreamHarness.decode(OpenAIChatCodec.makeStreamDecoder, bytes) == [
                .start(id: "chatcmpl-1", model: "gpt-4o-mini"), .finish(.endTurn), .end,
            ])
    }
}

@Suite struct OpenAIChatStreamEncodeTests {
    static func encode(_ events: [StreamEvent], includeUsage: Bool = false, model: String = "fallback") -> [UInt8] {
        StreamHarness.encode(
            OpenAIChatStreamEncoder(options: StreamEncoderOptions(includeUsage: includeUsage, model: model), created: 1_700_000_000),
            events)
    }

    static let head = #"{"id":"msg_1","object":"chat.completion.chunk","created":1700000000,"model":"claude","choices":[{"index":0,"delta":"#

    @Test func exactBytes() {
        let out = Self.encode(
            [
                .start(id: "msg_1", model: "claude"), .textDelta("Hi \"x\"\n"), .thinkingDelta("r"), .thinkingSignature("s"),
                .toolCallStart(index: 0, id: "t1", name: "f"), .toolCallArgumentsDelta(index: 0, fragment: #"{"a""#),
                .finish(.toolUse), .usage(Usage(inputTokens: 5, outputTokens: 3)), .end,
            ], includeUsage: true)
        let tail = #","logprobs":null,"finish_reason":null}]}"#
        let expected = [
            #"\#(Self.head){"role":"assistant","content":""}\#(tail)"#,
            #"\#(Self.head){"content":"Hi \"x\"\n"}\#(tail)"#,
            #"\#(Self.head){"reasoning_content":"r","thinking_blocks":[{"type":"thinking","thinking":"r"}]}\#(tail)"#,
            #"\#(Self.head){"thinking_blocks":[{"type":"thinking","thinking":"","signature":"s"}]}\#(tail)"#,
            #"\#(Self.head){"tool_calls":[{"index":0,"id":"t1","type":"function","function":{"name":"f","arguments":""}}]}\#(tail)"#,
            #"\#(Self.head){"tool_calls":[{"index":0,"function":{"arguments":"{\"a\""}}]}\#(tail)"#,
            #"\#(Self.head){},"logprobs":null,"finish_reason":"tool_calls"}]}"#,
            #"{"id":"msg_1","object":"chat.completion.chunk","created":1700000000,"model":"claude","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8,"prompt_tokens_details":{"cached_tokens":0}}}"#,
            "[DONE]",
        ].map { "data: \($0)\n\n" }.joined()
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test func noUsageChunkUnlessAsked() {
        let payloads = StreamHarness.payloads(
            Self.encode([.start(id: "a", model: "m"), .textDelta("x"), .finish(.endTurn), .usage(Usage(inputTokens: 1)), .end]))
        #expect(payloads.count == 4)
        #expect(payloads.allSatisfy { $0.json?["usage"] == nil })
        #expect(payloads.last?.raw == "[DONE]")
    }

    @Test func usageAfterFinishIsMergedIntoTheLastChunk() {
        let payloads = StreamHarness.payloads(
            Self.encode(
                [
                    .start(id: "a", model: "m"), .usage(Usage(inputTokens: 10)), .textDelta("x"), .finish(.endTurn),
                    .usage(Usage(outputTokens: 4)), .end,
                ], includeUsage: true))
        let usage = payloads[payloads.count - 2].json
        #expect(usage?["choices"] == [])
        #expect(usage?["usage"]?["prompt_tokens"] == 10)
        #expect(usage?["usage"]?["completion_tokens"] == 4)
        #expect(usage?["usage"]?["total_tokens"] == 14)
    }

    @Test func missingStartIsSynthesized() {
        let payloads = StreamHarness.payloads(Self.encode([.textDelta("x"), .end], model: "gpt-x"))
        #expect(payloads.count == 4)
        let first = payloads[0].json
        #expect(first?["choices"]?[0]?["delta"]?["role"] == "assistant")
        #expect(first?["model"] == "gpt-x")
        #expect(first?["id"]?.string?.hasPrefix("chatcmpl-") == true)
        // Every chunk of a stream shares one id.
        #expect(Set(payloads.dropLast().compactMap { $0.json?["id"]?.string }).count == 1)
        // A stream that ended without a finish still tells the client it stopped.
        #expect(payloads[2].json?["choices"]?[0]?["finish_reason"] == "stop")
    }

    @Test func providerModelWinsOverOptionsModel() {
        let payloads = StreamHarness.payloads(Self.encode([.start(id: "a", model: "real"), .end], model: "fallback"))
        #expect(payloads[0].json?["model"] == "real")
    }

    @Test func errorMidStream() {
        let out = Self.encode([.start(id: "a", model: "m"), .error(GatewayError(status: 529, kind: .overloaded, message: "busy")), .end])
        let payloads = StreamHarness.payloads(out)
        #expect(payloads.count == 2)
        #expect(payloads[1].json?["error"]?["message"] == "busy")
    }

    @Test func roundTripThroughDecoder() {
        let events: [StreamEvent] = [
            .start(id: "a", model: "m"), .thinkingDelta("th"), .textDelta("hé"),
            .toolCallStart(index: 0, id: "c0", name: "f"), .toolCallArgumentsDelta(index: 0, fragment: "{}"),
            .toolCallStart(index: 1, id: "c1", name: "g"), .toolCallArgumentsDelta(index: 1, fragment: "[1"),
            .finish(.toolUse), .usage(Usage(inputTokens: 3, outputTokens: 2, cachedInputTokens: 1, reasoningTokens: 1)), .end,
        ]
        let bytes = Self.encode(events, includeUsage: true)
        #expect(StreamHarness.decode(OpenAIChatCodec.makeStreamDecoder, bytes) == events)
    }
}
