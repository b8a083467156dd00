import Testing
import TollgateJSON

@testable import TollgateProtocols

/// #16's stream paths at every cut of the provider's bytes: signed thinking to a Gemini client
/// (and back to Anthropic), interleaved parallel tool calls to Anthropic and Gemini clients,
/// redacted thinking from an OpenAI-compatible server to an Anthropic client.
@Suite struct AgentStreamCutTests {
    static func everyCut(_ make: () -> any StreamDecoder, _ bytes: [UInt8]) -> [[StreamEvent]] {
        var splits = (1..<bytes.count).map { StreamHarness.decode(make, bytes, cuts: [$0]) }
        splits.append(StreamHarness.decodeByteByByte(make, bytes))
        return splits
    }

    static let anthropicThinking = Array([
        AnthropicStreamDecodeTests.event("message_start", #"{"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":3,"output_tokens":0}}}"#),
        AnthropicStreamDecodeTests.event("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#),
        AnthropicStreamDecodeTests.event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"let me "}}"#),
        AnthropicStreamDecodeTests.event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"think"}}"#),
        AnthropicStreamDecodeTests.event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCkYI+/=="}}"#),
        AnthropicStreamDecodeTests.event("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
        AnthropicStreamDecodeTests.event("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}}"#),
        AnthropicStreamDecodeTests.event("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"q\":1}"}}"#),
        AnthropicStreamDecodeTests.event("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
        AnthropicStreamDecodeTests.event("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":5}}"#),
        AnthropicStreamDecodeTests.event("message_stop", #"{"type":"message_stop"}"#),
    ].joined().utf8)

    /// A Gemini client streaming from Claude gets the thought as thought parts and its
    /// signature on a last, empty thought part; sending every part back (as a chat history
    /// does) reaches Anthropic as the one signed block, next to the tool call it preceded.
    @Test func signedThinkingStreamsToAGeminiClientAndBack() throws {
        for (cut, events) in Self.everyCut(AnthropicCodec.makeStreamDecoder, Self.anthropicThinking).enumerated() {
            let out = StreamHarness.encode(GeminiCodec.makeStreamEncoder(StreamEncoderOptions(includeUsage: true, model: "c")), events)
            var parts: [JSON] = []
            for p in StreamHarness.payloads(out) { parts += p.json?["candidates"]?[0]?["content"]?["parts"]?.array ?? [] }
            let thought = parts.filter { $0["thought"]?.bool == true }
            #expect(thought.compactMap { $0["text"]?.string }.joined() == "let me think", "cut \(cut)")
            #expect(thought.last?["thoughtSignature"] == "EqQBCkYI+/==", "cut \(cut)")
            let history: JSON = ["contents": [
                ["role": "user", "parts": [["text": "q"]]],
                ["role": "model", "parts": .array(parts)],
                ["role": "user", "parts": [["functionResponse": ["name": "f", "response": ["ok": true]]]]],
            ]]
            let anthropic = AnthropicCodec.encodeRequest(try GeminiCodec.decodeRequest(history))
            let blocks = anthropic["messages"]?[1]?["content"]?.array ?? []
            #expect(blocks.first == ["type": "thinking", "thinking": "let me think", "signature": "EqQBCkYI+/=="], "cut \(cut)")
            #expect(blocks.count == 2 && blocks[1]["type"] == "tool_use", "cut \(cut)")
        }
    }

    /// Two calls whose argument fragments interleave in an OpenAI-compatible server's stream.
    static let interleaved = StreamHarness.sse([
        #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"f","arguments":""}}]}}]}"#,
        #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"g","arguments":""}}]}}]}"#,
        #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"x\":"}}]}}]}"#,
        #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"y\":"}}]}}]}"#,
        #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]}}]}"#,
        #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"2}"}}]}}]}"#,
        #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
        "[DONE]",
    ])

    @Test func interleavedToolCallsReachAnAnthropicClientAtEveryCut() {
        for (cut, events) in Self.everyCut(OpenAIChatCodec.makeStreamDecoder, Self.interleaved).enumerated() {
            let out = StreamHarness.encode(AnthropicCodec.makeStreamEncoder(StreamEncoderOptions(includeUsage: false, model: "m")), events)
            var blocks: [Int: (id: String, name: String, args: String)] = [:]
            for p in StreamHarness.payloads(out) {
                guard let j = p.json, let i = j["index"]?.int else { continue }
                if p.event == "content_block_start", let b = j["content_block"] {
                    blocks[i] = (b["id"]?.string ?? "", b["name"]?.string ?? "", "")
                } else if p.event == "content_block_delta" {
                    blocks[i]?.args += j["delta"]?["partial_json"]?.string ?? ""
                }
            }
            #expect(blocks.count == 2, "cut \(cut)")
            #expect(blocks[0]?.id == "call_a" && blocks[0]?.name == "f" && blocks[0]?.args == #"{"x":1}"#, "cut \(cut)")
            #expect(blocks[1]?.id == "call_b" && blocks[1]?.name == "g" && blocks[1]?.args == #"{"y":2}"#, "cut \(cut)")
        }
    }

    @Test func interleavedToolCallsReachAGeminiClientAtEveryCut() {
        for (cut, events) in Self.everyCut(OpenAIChatCodec.makeStreamDecoder, Self.interleaved).enumerated() {
            let out = StreamHarness.encode(GeminiCodec.makeStreamEncoder(StreamEncoderOptions(includeUsage: false, model: "m")), events)
            var calls: [JSON] = []
            for p in StreamHarness.payloads(out) {
                for part in p.json?["candidates"]?[0]?["content"]?["parts"]?.array ?? [] {
                    if let fc = part["functionCall"] { calls.append(fc) }
                }
            }
            #expect(calls.map { $0["name"]?.string ?? "" } == ["f", "g"], "cut \(cut)")
            #expect(calls.map { $0["args"] ?? .null } == [["x": 1], ["y": 2]], "cut \(cut)")
        }
    }

    /// Redacted thinking from an OpenAI-compatible server (LiteLLM's `thinking_blocks`) reaches
    /// an Anthropic client as its own block, whole, before the text.
    @Test func redactedThinkingFromAnOpenAIStreamReachesAnAnthropicClientAtEveryCut() {
        let upstream = StreamHarness.sse([
            #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"role":"assistant","thinking_blocks":[{"type":"redacted_thinking","data":"enc=="}]}}]}"#,
            #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"hi"}}]}"#,
            #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
            "[DONE]",
        ])
        for (cut, events) in Self.everyCut(OpenAIChatCodec.makeStreamDecoder, upstream).enumerated() {
            let out = StreamHarness.encode(AnthropicCodec.makeStreamEncoder(StreamEncoderOptions(includeUsage: false, model: "m")), events)
            let starts = StreamHarness.payloads(out).filter { $0.event == "content_block_start" }.compactMap { $0.json?["content_block"] }
            #expect(starts.first == ["type": "redacted_thinking", "data": "enc=="], "cut \(cut)")
            #expect(starts.count == 2 && starts[1]["type"] == "text", "cut \(cut)")
        }
    }

    /// Claude's redacted block reaches a Responses client as a reasoning item of its own (the
    /// marked data in `encrypted_content`), streamed at every cut and whole; the item sent back
    /// in the next request is the redacted block again for Anthropic.
    @Test func redactedThinkingRoundTripsThroughAResponsesClient() throws {
        let upstream = Array([
            AnthropicStreamDecodeTests.event("message_start", #"{"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":3,"output_tokens":0}}}"#),
            AnthropicStreamDecodeTests.event("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"enc=="}}"#),
            AnthropicStreamDecodeTests.event("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            AnthropicStreamDecodeTests.event("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#),
            AnthropicStreamDecodeTests.event("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"hi"}}"#),
            AnthropicStreamDecodeTests.event("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
            AnthropicStreamDecodeTests.event("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":5}}"#),
            AnthropicStreamDecodeTests.event("message_stop", #"{"type":"message_stop"}"#),
        ].joined().utf8)
        func roundTrip(_ output: [JSON], _ label: String) throws {
            let next: JSON = ["model": "c", "input": .array([["role": "user", "content": "q"]] + output + [["role": "user", "content": "more"]])]
            let anthropic = AnthropicCodec.encodeRequest(try ResponsesCodec.decodeRequest(next))
            #expect(anthropic["messages"]?[1]?["content"]?[0] == ["type": "redacted_thinking", "data": "enc=="], "\(label)")
        }
        for (cut, events) in Self.everyCut(AnthropicCodec.makeStreamDecoder, upstream).enumerated() {
            let out = StreamHarness.encode(ResponsesCodec.makeStreamEncoder(StreamEncoderOptions(includeUsage: true, model: "c")), events)
            let done = StreamHarness.payloads(out).filter { $0.event == "response.output_item.done" }.compactMap { $0.json?["item"] }
            #expect(done.first?["type"] == "reasoning" && done.first?["encrypted_content"] == "redacted-thinking:enc==", "cut \(cut)")
            try roundTrip(done, "cut \(cut)")
        }
        let whole = try AnthropicCodec.decodeResponse(StreamHarness.json(#"""
            {"id":"m","type":"message","role":"assistant","model":"c","content":[{"type":"redacted_thinking","data":"enc=="},
              {"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}
            """#))
        let output = ResponsesCodec.encodeResponse(whole)["output"]?.array ?? []
        #expect(output.first?["encrypted_content"] == "redacted-thinking:enc==")
        try roundTrip(output, "whole")
    }

    /// google-genai sends a signature back URL-safe base64 encoded; Anthropic gets its own,
    /// standard-alphabet signature again.
    @Test func urlSafeSignaturesFromTheGenAISDKComeBackStandard() throws {
        let history: JSON = ["contents": [
            ["role": "user", "parts": [["text": "q"]]],
            ["role": "model", "parts": [["text": "t", "thought": true, "thoughtSignature": "Eq-_AB-_"], ["text": "a"]]],
            ["role": "user", "parts": [["text": "more"]]],
        ]]
        let anthropic = AnthropicCodec.encodeRequest(try GeminiCodec.decodeRequest(history))
        #expect(anthropic["messages"]?[1]?["content"]?[0] == ["type": "thinking", "thinking": "t", "signature": "Eq+/AB+/"])
        #expect(GeminiRequestDecoder.standardBase64("abc") == "abc")
        #expect(GeminiRequestDecoder.standardBase64("ab-_c") == "ab+/c===")
    }
}
