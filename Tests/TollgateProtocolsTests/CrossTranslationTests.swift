import Testing
import TollgateJSON

@testable import TollgateProtocols

/// Whole journeys through the gateway: a client's protocol in, the provider's out, and back.
@Suite struct CrossTranslationRequestTests {
    @Test func openAIClientToAnthropicProvider() throws {
        let inbound = StreamHarness.json(
            #"""
            {"model":"claude-sonnet-4","messages":[
              {"role":"system","content":"be brief"},
              {"role":"developer","content":"use tools"},
              {"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBO"}},
                {"type":"image_url","image_url":{"url":"https://x.test/a.png"}}]},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"w","arguments":"{\"city\":\"Paris\"}"}},
                {"id":"call_2","type":"function","function":{"name":"w","arguments":"{\"city\":\"Rome\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"sunny"},
              {"role":"tool","tool_call_id":"call_2","content":"rain"},
              {"role":"user","content":"and?"}],
             "temperature":0.7,"stop":"END","user":"u-9","stream":true,"stream_options":{"include_usage":true},
             "tools":[{"type":"function","function":{"name":"w","description":"weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
             "tool_choice":"required","parallel_tool_calls":false,"response_format":{"type":"json_object"},"seed":1,"logit_bias":{}}
            """#)
        let outbound = AnthropicCodec.encodeRequest(try OpenAIChatCodec.decodeRequest(inbound))
        let expected = StreamHarness.json(
            #"""
            {"model":"claude-sonnet-4","max_tokens":4096,"system":[{"type":"text","text":"be brief"},{"type":"text","text":"use tools"}],
             "messages":[
              {"role":"user","content":[{"type":"text","text":"look"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBO"}},
                {"type":"image","source":{"type":"url","url":"https://x.test/a.png"}}]},
              {"role":"assistant","content":[{"type":"tool_use","id":"call_1","name":"w","input":{"city":"Paris"}},
                {"type":"tool_use","id":"call_2","name":"w","input":{"city":"Rome"}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"sunny"},
                {"type":"tool_result","tool_use_id":"call_2","content":"rain"},{"type":"text","text":"and?"}]}],
             "temperature":0.7,"stop_sequences":["END"],"stream":true,"metadata":{"user_id":"u-9"},
             "tools":[{"name":"w","description":"weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
             "tool_choice":{"type":"any","disable_parallel_tool_use":true}}
            """#)
        #expect(outbound == expected)
    }

    @Test func openAIReasoningEffortToAnthropicThinking() throws {
        let inbound = StreamHarness.json(#"{"model":"c","messages":[{"role":"user","content":"x"}],"reasoning_effort":"medium","max_completion_tokens":20000}"#)
        let outbound = AnthropicCodec.encodeRequest(try OpenAIChatCodec.decodeRequest(inbound))
        #expect(outbound["max_tokens"] == 20000)
        #expect(outbound["thinking"] == ["type": "enabled", "budget_tokens": 4096])
    }

    @Test func anthropicClientToOpenAIProvider() throws {
        let inbound = StreamHarness.json(
            #"""
            {"model":"gpt-4o","max_tokens":512,"system":"sys","stream":true,
             "messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j"}}]},
              {"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"s"},{"type":"text","text":"let me check"},
                {"type":"tool_use","id":"toolu_1","name":"w","input":{"city":"Oslo"}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"cold"}],"is_error":false},
                {"type":"text","text":"thanks"}]}],
             "tools":[{"name":"w","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"w"},
             "metadata":{"user_id":"u"},"top_k":4,"thinking":{"type":"enabled","budget_tokens":10000},"container":"c"}
            """#)
        let outbound = OpenAIChatCodec.encodeRequest(try AnthropicCodec.decodeRequest(inbound))
        let expected = StreamHarness.json(
            #"""
            {"model":"gpt-4o","messages":[{"role":"system","content":"sys"},
              {"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j"}}]},
              {"role":"assistant","content":"let me check","tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"w","arguments":"{\"city\":\"Oslo\"}"}}]},
              {"role":"tool","tool_call_id":"toolu_1","content":"cold"},
              {"role":"user","content":"thanks"}],
             "max_completion_tokens":512,"top_k":4,"stream":true,"stream_options":{"include_usage":true},"user":"u",
             "tools":[{"type":"function","function":{"name":"w","parameters":{"type":"object"}}}],
             "tool_choice":{"type":"function","function":{"name":"w"}},"reasoning_effort":"high"}
            """#)
        #expect(outbound == expected)
    }
}

@Suite struct CrossTranslationResponseTests {
    @Test func anthropicProviderToOpenAIClient() throws {
        let upstream = StreamHarness.json(
            #"""
            {"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[{"type":"thinking","thinking":"t","signature":"s"},
              {"type":"text","text":"Done"},{"type":"tool_use","id":"toolu_1","name":"f","input":{"a":[1]}}],
             "stop_reason":"max_tokens","stop_sequence":null,
             "usage":{"input_tokens":5,"cache_creation_input_tokens":10,"cache_read_input_tokens":100,"output_tokens":8}}
            """#)
        var r = try AnthropicCodec.decodeResponse(upstream)
        r.created = 1_700_000_000
        let body = OpenAIChatCodec.encodeResponse(r)
        let message = body["choices"]?[0]?["message"]
        #expect(message?["content"] == "Done")
        #expect(message?["reasoning_content"] == "t")
        #expect(message?["thinking_blocks"] == [["type": "thinking", "thinking": "t", "signature": "s"]])
        #expect(message?["tool_calls"]?[0]?["function"]?["arguments"] == #"{"a":[1]}"#)
        #expect(body["choices"]?[0]?["finish_reason"] == "length")
        #expect(
            body["usage"] == [
                // Cache writes as LiteLLM's clients read them; no reasoning count Anthropic never gave.
                "prompt_tokens": 115, "completion_tokens": 8, "total_tokens": 123, "prompt_tokens_details": ["cached_tokens": 100],
                "cache_creation_input_tokens": 10,
            ])
    }

    @Test func openAIProviderToAnthropicClient() throws {
        let upstream = StreamHarness.json(
            #"""
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,
              "message":{"role":"assistant","content":"ok","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"q\":\"x\"}"}}]},
              "finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":50,"completion_tokens":6,"total_tokens":56,"prompt_tokens_details":{"cached_tokens":32}}}
            """#)
        let body = AnthropicCodec.encodeResponse(try OpenAIChatCodec.decodeResponse(upstream))
        #expect(body["content"] == [["type": "text", "text": "ok"], ["type": "tool_use", "id": "call_1", "name": "f", "input": ["q": "x"]]])
        #expect(body["stop_reason"] == "tool_use")
        #expect(body["usage"] == ["input_tokens": 18, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 32, "output_tokens": 6])
    }

    @Test func errorsKeepTheirStatusAcrossProtocols() {
        let anthropic = AnthropicCodec.decodeError(status: 529, body: Array(#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#.utf8))
        #expect(anthropic.status == 529)
        #expect(OpenAIChatCodec.encodeError(anthropic)["error"]?["type"] == "api_error")
        #expect(OpenAIChatCodec.encodeError(anthropic)["error"]?["message"] == "Overloaded")

        let openAI = OpenAIChatCodec.decodeError(status: 429, body: Array(#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#.utf8))
        #expect(openAI.status == 429)
        #expect(AnthropicCodec.encodeError(openAI) == ["type": "error", "error": ["type": "rate_limit_error", "message": "Rate limit reached"]])

        for (status, type) in [(400, "invalid_request_error"), (401, "authentication_error"), (403, "permission_error"), (404, "not_found_error"), (413, "request_too_large"), (500, "api_error"), (502, "api_error"), (503, "overloaded_error"), (504, "timeout_error")] {
            let e = OpenAIChatCodec.decodeError(status: status, body: Array("oops".utf8))
            #expect(e.status == status)
            #expect(AnthropicCodec.encodeError(e)["error"]?["type"]?.string == type, "\(status)")
        }
    }
}

/// Streams translated event by event, then read back the way the official SDKs accumulate them.
@Suite struct CrossTranslationStreamTests {
    /// Pipes `bytes` through `decoder` and `encoder`, feeding at the given cut points.
    static func translate(
        _ bytes: [UInt8], cuts: [Int] = [], from decoder: () -> any StreamDecoder, to encoder: any StreamEncoder
    ) -> [UInt8] {
        var d = decoder()
        var e = encoder
        var out: [UInt8] = []
        var last = 0
        for c in cuts + [bytes.count] where c >= last {
            for ev in d.feed(Array(bytes[last..<c])) { e.encode(ev, into: &out) }
            last = c
        }
        for ev in d.finish() { e.encode(ev, into: &out) }
        return out
    }

    @Test func anthropicProviderToOpenAIClientStream() {
        let out = Self.translate(
            AnthropicStreamDecodeTests.recorded, from: AnthropicCodec.makeStreamDecoder,
            to: OpenAIChatStreamEncoder(options: StreamEncoderOptions(includeUsage: true, model: "x"), created: 1))
        let acc = OpenAIStreamAccumulator.run(out)
        #expect(acc.errors.isEmpty, "\(acc.errors)")
        #expect(acc.id == "msg_1")
        #expect(acc.model == "claude-sonnet-4")
        #expect(acc.role == "assistant")
        #expect(acc.content == "Héllo 👋🏽")
        #expect(acc.reasoning == "Let me")
        #expect(acc.toolCalls.count == 1)
        #expect(acc.toolCalls.first?.id == "toolu_1")
        #expect(acc.toolCalls.first?.name == "w")
        #expect(StreamHarness.json(acc.toolCalls.first?.arguments ?? "") == ["city": "Paris"])
        #expect(acc.finishReason == "tool_calls")
        #expect(acc.usage?["prompt_tokens"] == 100)
        #expect(acc.usage?["completion_tokens"] == 42)
        #expect(acc.usage?["prompt_tokens_details"]?["cached_tokens"] == 90)
        #expect(acc.done)
    }

    @Test func openAIProviderToAnthropicClientStream() {
        let out = Self.translate(
            OpenAIChatStreamDecodeTests.recorded, from: OpenAIChatCodec.makeStreamDecoder,
            to: AnthropicCodec.makeStreamEncoder(StreamEncoderOptions(model: "x")))
        let acc = AnthropicStreamAccumulator.run(out)
        #expect(acc.errors.isEmpty, "\(acc.errors)")
        #expect(acc.message?["id"] == "chatcmpl-1")
        #expect(acc.message?["model"] == "gpt-4o-mini")
        #expect(acc.content.count == 3)
        #expect(acc.content[0] == ["type": "text", "text": "Héllo 👋🏽 日本"])
        #expect(acc.content[1] == ["type": "tool_use", "id": "call_a", "name": "w", "input": ["city": "Paris"]])
        #expect(acc.content[2] == ["type": "tool_use", "id": "call_b", "name": "t", "input": [:]])
        #expect(acc.stopReason == "tool_use")
        // OpenAI's usage chunk comes after the finish; it still lands in message_delta.
        #expect(acc.usage?["input_tokens"] == 7)
        #expect(acc.usage?["cache_read_input_tokens"] == 2)
        #expect(acc.usage?["output_tokens"] == 7)
        #expect(acc.stopped)
    }

    @Test func translationIsTheSameAtEverySplitPoint() {
        let oa = OpenAIChatStreamDecodeTests.recorded
        let anthropicWhole = Self.translate(oa, from: OpenAIChatCodec.makeStreamDecoder, to: AnthropicCodec.makeStreamEncoder(StreamEncoderOptions()))
        for cut in stride(from: 0, through: oa.count, by: 7) {
            let split = Self.translate(oa, cuts: [cut], from: OpenAIChatCodec.makeStreamDecoder, to: AnthropicCodec.makeStreamEncoder(StreamEncoderOptions()))
            #expect(split == anthropicWhole, "cut \(cut)")
        }
        let an = AnthropicStreamDecodeTests.recorded
        let encoder = OpenAIChatStreamEncoder(options: StreamEncoderOptions(includeUsage: true), created: 1)
        let openAIWhole = Self.translate(an, from: AnthropicCodec.makeStreamDecoder, to: encoder)
        for cut in stride(from: 0, through: an.count, by: 7) {
            #expect(Self.translate(an, cuts: [cut], from: AnthropicCodec.makeStreamDecoder, to: encoder) == openAIWhole, "cut \(cut)")
        }
        #expect(Self.translate(an, cuts: Array(1..<an.count), from: AnthropicCodec.makeStreamDecoder, to: encoder) == openAIWhole)
    }

    @Test func openAIClientWithoutIncludeUsageGetsNoUsageChunk() {
        let out = Self.translate(
            AnthropicStreamDecodeTests.recorded, from: AnthropicCodec.makeStreamDecoder,
            to: OpenAIChatStreamEncoder(options: StreamEncoderOptions(includeUsage: false), created: 1))
        let acc = OpenAIStreamAccumulator.run(out)
        #expect(acc.usage == nil)
        #expect(acc.done)
    }

    @Test func upstreamErrorMidStreamReachesTheClientInItsShape() {
        let bytes = Array(
            (AnthropicStreamDecodeTests.event("message_start", #"{"type":"message_start","message":{"id":"m","model":"c"}}"#)
                + AnthropicStreamDecodeTests.event("error", #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)).utf8)
        let out = Self.translate(
            bytes, from: AnthropicCodec.makeStreamDecoder, to: OpenAIChatStreamEncoder(options: StreamEncoderOptions(), created: 1))
        let acc = OpenAIStreamAccumulator.run(out)
        #expect(acc.apiError?["message"] == "Overloaded")
        #expect(!acc.done)
    }

    @Test func cutShortUpstreamBecomesAnErrorNotACleanEnd() {
        let full = AnthropicStreamDecodeTests.recorded
        let out = Self.translate(
            Array(full.prefix(full.count / 2)), from: AnthropicCodec.makeStreamDecoder,
            to: OpenAIChatStreamEncoder(options: StreamEncoderOptions(), created: 1))
        let acc = OpenAIStreamAccumulator.run(out)
        #expect(acc.apiError != nil)
        #expect(!acc.done)
    }
}

/// What openai-python's ChatCompletionStreamState checks and builds, reduced to the fields a
/// client reads: chunks share an id, `choices[].index` selects the choice, a tool call's first
/// delta carries `id`, `type` and `function.name`, later ones append `arguments`; a chunk with
/// `error` raises.
struct OpenAIStreamAccumulator {
    var id: String?, model: String?, role: String?
    var content = "", reasoning = ""
    var toolCalls: [(id: String, name: String, arguments: String)] = []
    var finishReason: String?
    var usage: JSON?
    var done = false
    var apiError: JSON?
    var errors: [String] = []

    static func run(_ bytes: [UInt8]) -> OpenAIStreamAccumulator {
        var a = OpenAIStreamAccumulator()
        for p in StreamHarness.payloads(bytes) {
            if a.done { a.errors.append("data after [DONE]") }
            if p.raw == "[DONE]" {
                a.done = true
                continue
            }
            guard let chunk = p.json else {
                a.errors.append("not JSON: \(p.raw)")
                continue
            }
            if let e = chunk["error"] {
                a.apiError = e
                continue
            }
            if chunk["object"] != "chat.completion.chunk" { a.errors.append("object") }
            if chunk["created"]?.int == nil { a.errors.append("created") }
            if let id = chunk["id"]?.string {
                if a.id != nil, a.id != id { a.errors.append("id changed") }
                a.id = id
            } else {
                a.errors.append("id missing")
            }
            a.model = chunk["model"]?.string
            if let u = chunk["usage"], !u.isNull { a.usage = u }
            guard let choices = chunk["choices"]?.array else {
                a.errors.append("choices missing")
                continue
            }
            for choice in choices {
                if choice["index"] != 0 { a.errors.append("index") }
                guard let delta = choice["delta"] else {
                    a.errors.append("delta missing")
                    continue
                }
                if let r = delta["role"]?.string { a.role = r }
                if a.role == nil { a.errors.append("first chunk without role") }
                a.content += delta["content"]?.string ?? ""
                a.reasoning += delta["reasoning_content"]?.string ?? ""
                for call in delta["tool_calls"]?.array ?? [] {
                    guard let i = call["index"]?.int else {
                        a.errors.append("tool index")
                        continue
                    }
                    if i == a.toolCalls.count {
                        guard let id = call["id"]?.string, call["type"] == "function", let name = call["function"]?["name"]?.string
                        else {
                            a.errors.append("tool call opened without id/type/name")
                            continue
                        }
                        a.toolCalls.append((id, name, ""))
                    } else if i > a.toolCalls.count {
                        a.errors.append("tool index skipped")
                        continue
                    }
                    a.toolCalls[i].arguments += call["function"]?["arguments"]?.string ?? ""
                }
                if let f = choice["finish_reason"]?.string { a.finishReason = f }
            }
        }
        return a
    }
}

/// What anthropic-python's MessageStream does with events: `message_start` gives the snapshot,
/// blocks must arrive in order at `index == content.count`, deltas must match the open block's
/// type, tool input is JSON parsed at `content_block_stop`, `message_delta` sets stop reason and
/// usage.
struct AnthropicStreamAccumulator {
    var message: JSON?
    var content: [JSON] = []
    var inputJSON: [Int: String] = [:]
    var open: Int?
    var stopReason: String?
    var usage: JSON?
    var stopped = false
    var errors: [String] = []

    static func run(_ bytes: [UInt8]) -> AnthropicStreamAccumulator {
        var a = AnthropicStreamAccumulator()
        for p in StreamHarness.payloads(bytes) {
            guard let e = p.json, let type = e["type"]?.string else {
                a.errors.append("not JSON: \(p.raw)")
                continue
            }
            if p.event != type { a.errors.append("event name \(p.event ?? "nil") != \(type)") }
            if type != "message_start", type != "error", a.message == nil { a.errors.append("\(type) before message_start") }
            switch type {
            case "message_start":
                a.message = e["message"]
                a.usage = e["message"]?["usage"]
                if e["message"]?["content"] != [] { a.errors.append("message_start content") }
            case "content_block_start":
                guard e["index"]?.int == a.content.count, a.open == nil, let block = e["content_block"] else {
                    a.errors.append("block start out of order")
                    continue
                }
                a.open = a.content.count
                a.content.append(block)
            case "content_block_delta":
                guard let i = e["index"]?.int, i == a.open, let delta = e["delta"] else {
                    a.errors.append("delta for a block that is not open")
                    continue
                }
                let blockType = a.content[i]["type"]?.string
                switch (blockType, delta["type"]?.string) {
                case ("text"?, "text_delta"?):
                    a.content[i]["text"] = .string((a.content[i]["text"]?.string ?? "") + (delta["text"]?.string ?? ""))
                case ("thinking"?, "thinking_delta"?):
                    a.content[i]["thinking"] = .string((a.content[i]["thinking"]?.string ?? "") + (delta["thinking"]?.string ?? ""))
                case ("thinking"?, "signature_delta"?):
                    a.content[i]["signature"] = delta["signature"]
                case ("tool_use"?, "input_json_delta"?):
                    a.inputJSON[i, default: ""] += delta["partial_json"]?.string ?? ""
                default:
                    a.errors.append("delta \(delta["type"]?.string ?? "?") in a \(blockType ?? "?") block")
                }
            case "content_block_stop":
                guard let i = e["index"]?.int, i == a.open else {
                    a.errors.append("stop for a block that is not open")
                    continue
                }
                if a.content[i]["type"] == "tool_use", let text = a.inputJSON[i] {
                    a.content[i]["input"] = StreamHarness.json(text)
                }
                a.open = nil
            case "message_delta":
                a.stopReason = e["delta"]?["stop_reason"]?.string
                a.usage = e["usage"]
            case "message_stop":
                if a.open != nil { a.errors.append("message_stop with an open block") }
                a.stopped = true
            case "ping", "error":
                break
            default:
                a.errors.append("unknown event \(type)")
            }
        }
        return a
    }
}
