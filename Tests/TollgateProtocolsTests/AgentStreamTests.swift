import Testing
import TollgateJSON

@testable import TollgateProtocols

/// #16 on streams: signed thinking through the OpenAI chat surface, redacted blocks, and
/// parallel tool calls whose argument fragments interleave.
@Suite struct AgentStreamTests {
    /// Anthropic's recorded thinking + signature + tool call, streamed to an OpenAI-chat client:
    /// its deltas carry `thinking_blocks` (LiteLLM's convention) whose reassembly is the signed
    /// block, at every cut of the provider's bytes.
    @Test func signedThinkingReachesAnOpenAIStreamAtEveryCut() {
        let upstream = Array([
            AnthropicStreamDecodeTests.event("message_start", #"{"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":3,"output_tokens":0}}}"#),
            AnthropicStreamDecodeTests.event("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#),
            AnthropicStreamDecodeTests.event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"let me "}}"#),
            AnthropicStreamDecodeTests.event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"think"}}"#),
            AnthropicStreamDecodeTests.event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCkYI+/=="}}"#),
            AnthropicStreamDecodeTests.event("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            AnthropicStreamDecodeTests.event("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"enc=="}}"#),
            AnthropicStreamDecodeTests.event("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
            AnthropicStreamDecodeTests.event("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":5}}"#),
            AnthropicStreamDecodeTests.event("message_stop", #"{"type":"message_stop"}"#),
        ].joined().utf8)
        var splits: [[StreamEvent]] = (1..<upstream.count).map { StreamHarness.decode(AnthropicCodec.makeStreamDecoder, upstream, cuts: [$0]) }
        splits.append(StreamHarness.decodeByteByByte(AnthropicCodec.makeStreamDecoder, upstream))
        for (cut, events) in splits.enumerated() {
            let out = StreamHarness.encode(OpenAIChatStreamEncoder(options: StreamEncoderOptions(includeUsage: false, model: "c")), events)
            var reasoning = ""
            var thinking = ""
            var signature = ""
            var redacted: [String] = []
            for p in StreamHarness.payloads(out) {
                guard let delta = p.json?["choices"]?[0]?["delta"] else { continue }
                reasoning += delta["reasoning_content"]?.string ?? ""
                for b in delta["thinking_blocks"]?.array ?? [] {
                    if b["type"] == "redacted_thinking" { redacted.append(b["data"]?.string ?? "") }
                    thinking += b["thinking"]?.string ?? ""
                    signature += b["signature"]?.string ?? ""
                }
            }
            #expect(reasoning == "let me think", "cut \(cut)")
            #expect(thinking == "let me think", "cut \(cut)")
            #expect(signature == "EqQBCkYI+/==", "cut \(cut)")
            #expect(redacted == ["enc=="], "cut \(cut)")
        }
    }

    /// Gemini's signature on an answer's text part reaches an OpenAI-chat stream as a signed
    /// thinking block, and goes back to Gemini on that part, at every byte split.
    @Test func geminiTextSignatureRoundTripsThroughAnOpenAIStream() throws {
        let chunk = #"{"candidates":[{"content":{"role":"model","parts":[{"text":"It is 4.","thoughtSignature":"Gs1+/="}]},"finishReason":"STOP"}],"responseId":"r"}"#
        let upstream = Array("data: \(chunk)\r\n\r\n".utf8)
        var splits: [[StreamEvent]] = (1..<upstream.count).map { StreamHarness.decode(GeminiCodec.makeStreamDecoder, upstream, cuts: [$0]) }
        splits.append(StreamHarness.decodeByteByByte(GeminiCodec.makeStreamDecoder, upstream))
        for (cut, events) in splits.enumerated() {
            let out = StreamHarness.encode(OpenAIChatStreamEncoder(options: StreamEncoderOptions(includeUsage: false, model: "g")), events)
            var signature = ""
            for p in StreamHarness.payloads(out) {
                for b in p.json?["choices"]?[0]?["delta"]?["thinking_blocks"]?.array ?? [] { signature += b["signature"]?.string ?? "" }
            }
            #expect(GeminiTextSignature.unwrap(signature) == "Gs1+/=", "cut \(cut)")
            // Sent back as LiteLLM clients do, it lands on the text part again.
            var assistant = JSONObject()
            assistant.append("role", "assistant")
            assistant.append("content", "It is 4.")
            assistant.append("thinking_blocks", [["type": "thinking", "thinking": "", "signature": .string(signature)]])
            let body: JSON = ["model": "g", "messages": [["role": "user", "content": "2+2?"], .object(assistant), ["role": "user", "content": "and 3+3?"]]]
            let back = try OpenAIChatCodec.decodeRequest(body)
            let gemini = GeminiCodec.encodeRequest(back)
            #expect(gemini["contents"]?[1]?["parts"] == [["text": "It is 4.", "thoughtSignature": "Gs1+/="]], "cut \(cut)")
            // Anthropic never gets a Gemini signature.
            #expect(AnthropicCodec.encodeRequest(back)["messages"]?[1]?["content"] == "It is 4.", "cut \(cut)")
        }
    }

    /// Cache writes reach a Responses client's usage, only when there were some.
    @Test func responsesUsageCarriesCacheWrites() {
        #expect(ResponsesUsage.encode(Usage(inputTokens: 10, cachedInputTokens: 2, cacheCreationInputTokens: 5))["input_tokens_details"]
            == ["cached_tokens": 2, "cache_write_tokens": 5])
        #expect(ResponsesUsage.encode(Usage(inputTokens: 10))["input_tokens_details"] == ["cached_tokens": 0])
    }

    /// Anthropic's signed thinking through a Gemini client and back: the thought part carries
    /// the signature, and the Gemini request sent back reaches Anthropic as the signed block.
    @Test func anthropicSignedThinkingRoundTripsThroughAGeminiClient() throws {
        let answer = try AnthropicCodec.decodeResponse(StreamHarness.json(#"""
            {"id":"m","type":"message","role":"assistant","model":"c","content":[{"type":"thinking","thinking":"t","signature":"sig=="},
              {"type":"tool_use","id":"toolu_1","name":"f","input":{}}],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}}
            """#))
        let toGemini = GeminiCodec.encodeResponse(answer)
        let modelTurn = try #require(toGemini["candidates"]?[0]?["content"])
        let history: JSON = ["contents": [["role": "user", "parts": [["text": "q"]]], modelTurn,
                                          ["role": "user", "parts": [["functionResponse": ["name": "f", "response": ["ok": true]]]]]]]
        let back = try GeminiCodec.decodeRequest(history)
        let anthropic = AnthropicCodec.encodeRequest(back)
        #expect(anthropic["messages"]?[1]?["content"]?[0] == ["type": "thinking", "thinking": "t", "signature": "sig=="])
    }

    /// A redacted block reaches an Anthropic client whole, as its own block.
    @Test func redactedThinkingIsItsOwnAnthropicBlock() {
        let out = StreamHarness.encode(
            AnthropicCodec.makeStreamEncoder(StreamEncoderOptions(includeUsage: false, model: "c")),
            [.start(id: "m", model: "c"), .redactedThinking("enc=="), .textDelta("hi"), .finish(.endTurn), .end])
        let starts = StreamHarness.payloads(out).filter { $0.event == "content_block_start" }.compactMap { $0.json?["content_block"] }
        #expect(starts.first == ["type": "redacted_thinking", "data": "enc=="])
        #expect(starts.count == 2)
    }

    /// Two calls whose argument fragments interleave (some OpenAI-compatible servers do this)
    /// reach an Anthropic client each in its own block with its own id and whole arguments.
    @Test func interleavedToolCallsKeepTheirArguments() {
        let out = StreamHarness.encode(
            AnthropicCodec.makeStreamEncoder(StreamEncoderOptions(includeUsage: false, model: "c")),
            [
                .start(id: "m", model: "c"),
                .toolCallStart(index: 0, id: "call_a", name: "f"), .toolCallStart(index: 1, id: "call_b", name: "g"),
                .toolCallArgumentsDelta(index: 0, fragment: #"{"x":"#), .toolCallArgumentsDelta(index: 1, fragment: #"{"y":"#),
                .toolCallArgumentsDelta(index: 0, fragment: "1}"), .toolCallArgumentsDelta(index: 1, fragment: "2}"),
                .finish(.toolUse), .end,
            ])
        var blocks: [Int: (id: String, name: String, args: String)] = [:]
        for p in StreamHarness.payloads(out) {
            guard let j = p.json, let i = j["index"]?.int else { continue }
            if p.event == "content_block_start", let b = j["content_block"] {
                blocks[i] = (b["id"]?.string ?? "", b["name"]?.string ?? "", "")
            } else if p.event == "content_block_delta" {
                blocks[i]?.args += j["delta"]?["partial_json"]?.string ?? ""
            }
        }
        #expect(blocks.count == 2)
        #expect(blocks[0]?.id == "call_a" && blocks[0]?.name == "f" && blocks[0]?.args == #"{"x":1}"#)
        #expect(blocks[1]?.id == "call_b" && blocks[1]?.name == "g" && blocks[1]?.args == #"{"y":2}"#)
    }

    /// Image results of a tool reach an OpenAI provider in a user turn after the tool messages.
    @Test func toolResultImagesFollowTheToolMessage() {
        let r = ChatRequest(model: "m", messages: [
            Message(role: .user, content: [.text("look")]),
            Message(role: .assistant, content: [.toolUse(id: "t1", name: "shot", input: [:])]),
            Message(role: .user, content: [.toolResult(toolUseId: "t1", content: [.image(.base64(mediaType: "image/png", data: "AAAA"))], isError: false)]),
        ])
        let messages = OpenAIChatCodec.encodeRequest(r)["messages"]?.array ?? []
        #expect(messages.count == 4)
        #expect(messages[2]["role"] == "tool" && messages[2]["tool_call_id"] == "t1")
        #expect(messages[3]["role"] == "user")
        #expect(messages[3]["content"]?[1]?["image_url"]?["url"] == "data:image/png;base64,AAAA")
    }
}
