import Testing
import TollgateJSON

@testable import TollgateProtocols

@Suite struct AnthropicRequestDecodeTests {
    static func decode(_ text: String) throws -> ChatRequest {
        try AnthropicCodec.decodeRequest(StreamHarness.json(text))
    }

    static func failure(_ text: String) -> GatewayError? {
        do {
            _ = try AnthropicCodec.decodeRequest(StreamHarness.json(text))
            return nil
        } catch { return error }
    }

    @Test func fullRequest() throws {
        let r = try Self.decode(
            #"""
            {"model":"claude-sonnet-4","max_tokens":1024,"system":[{"type":"text","text":"a","cache_control":{"type":"ephemeral"}},{"type":"text","text":"b"}],
             "messages":[
               {"role":"user","content":[{"type":"text","text":"see"},{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j"}},
                 {"type":"image","source":{"type":"url","url":"https://x.test/i.png"}}]},
               {"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"sig"},{"type":"redacted_thinking","data":"enc"},
                 {"type":"text","text":"calling"},{"type":"tool_use","id":"toolu_1","name":"w","input":{"city":"Paris"}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"},
                 {"type":"tool_result","tool_use_id":"toolu_2","content":[{"type":"text","text":"x"}],"is_error":true},
                 {"type":"tool_result","tool_use_id":"toolu_3"}]}],
             "temperature":0.3,"top_p":0.8,"top_k":5,"stop_sequences":["END"],"stream":true,"metadata":{"user_id":"u-1"},
             "tools":[{"name":"w","description":"weather","input_schema":{"type":"object"}}],
             "tool_choice":{"type":"any","disable_parallel_tool_use":true},
             "thinking":{"type":"enabled","budget_tokens":2048},"service_tier":"auto","container":"c1"}
            """#)
        #expect(r.model == "claude-sonnet-4")
        #expect(r.maxTokens == 1024)
        #expect(r.system == [.text("a"), .text("b")])
        #expect(
            r.messages == [
                Message(
                    role: .user,
                    content: [
                        .text("see"), .image(.base64(mediaType: "image/jpeg", data: "/9j")), .image(.url("https://x.test/i.png")),
                    ]),
                Message(
                    role: .assistant,
                    content: [
                        .thinking(text: "hm", signature: "sig"), .redactedThinking(data: "enc"), .text("calling"),
                        .toolUse(id: "toolu_1", name: "w", input: ["city": "Paris"]),
                    ]),
                Message(
                    role: .user,
                    content: [
                        .toolResult(toolUseId: "toolu_1", content: [.text("sunny")], isError: false),
                        .toolResult(toolUseId: "toolu_2", content: [.text("x")], isError: true),
                        .toolResult(toolUseId: "toolu_3", content: [], isError: false),
                    ]),
            ])
        #expect(r.temperature == 0.3)
        #expect(r.topP == 0.8)
        #expect(r.topK == 5)
        #expect(r.stop == ["END"])
        #expect(r.stream)
        #expect(r.includeUsageInStream)  // Anthropic streams always report usage
        #expect(r.user == "u-1")
        #expect(r.tools == [Tool(name: "w", description: "weather", parameters: ["type": "object"])])
        #expect(r.toolChoice == .required)
        #expect(r.parallelToolCalls == false)
        #expect(r.reasoning == Reasoning(budgetTokens: 2048))
        #expect(r.extra == ["service_tier": "auto", "container": "c1"])
    }

    @Test func stringSystemAndContent() throws {
        let r = try Self.decode(#"{"model":"m","max_tokens":5,"system":"be nice","messages":[{"role":"user","content":"hi"}]}"#)
        #expect(r.system == [.text("be nice")])
        #expect(r.messages == [Message(role: .user, content: [.text("hi")])])
    }

    @Test func toolChoices() throws {
        let cases: [(String, ToolChoice, Bool?)] = [
            (#"{"type":"auto"}"#, .auto, nil), (#"{"type":"any"}"#, .required, nil), (#"{"type":"none"}"#, ToolChoice.none, nil),
            (#"{"type":"tool","name":"f"}"#, .tool(name: "f"), nil),
            (#"{"type":"auto","disable_parallel_tool_use":false}"#, .auto, true),
        ]
        for (wire, choice, parallel) in cases {
            let r = try Self.decode(#"{"model":"m","messages":[],"tool_choice":\#(wire)}"#)
            #expect(r.toolChoice == choice)
            #expect(r.parallelToolCalls == parallel)
        }
    }

    @Test func disabledThinkingIsNoReasoning() throws {
        #expect(try Self.decode(#"{"model":"m","messages":[],"thinking":{"type":"disabled"}}"#).reasoning == nil)
    }

    @Test func invalidRequestsName400Fields() {
        let cases: [(String, String)] = [
            (#"{"messages":[]}"#, "model"),
            (#"{"model":"m"}"#, "messages"),
            (#"{"model":"m","messages":"hi"}"#, "messages"),
            (#"{"model":"m","messages":[{"role":"system","content":"x"}]}"#, "messages.0.role"),
            (#"{"model":"m","messages":[{"role":"user"}]}"#, "messages.0.content"),
            (#"{"model":"m","messages":[{"role":"user","content":[{"type":"document","source":{}}]}]}"#, "messages.0.content.0.type"),
            (#"{"model":"m","messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]}"#, "messages.0.content.0.source.type"),
            (#"{"model":"m","messages":[{"role":"user","content":[{"type":"tool_result"}]}]}"#, "messages.0.content.0.tool_use_id"),
            (#"{"model":"m","messages":[],"max_tokens":"many"}"#, "max_tokens"),
            (#"{"model":"m","messages":[],"tools":[{"type":"code_execution_20250522","name":"code_execution"}]}"#, "tools.0.type"),
            (#"{"model":"m","messages":[],"tools":[{"name":"f"}]}"#, "tools.0.input_schema"),
            (#"{"model":"m","messages":[],"tool_choice":{"type":"maybe"}}"#, "tool_choice.type"),
            (#"{"model":"m","messages":[],"stop_sequences":[1]}"#, "stop_sequences.0"),
            (#"{"model":"m","messages":[],"metadata":{"user_id":5}}"#, "metadata.user_id"),
        ]
        for (body, param) in cases {
            let e = Self.failure(body)
            #expect(e?.status == 400, "\(body)")
            #expect(e?.param == param, "\(body)")
            #expect(e?.message.hasPrefix(param) == true, "\(body)")
        }
    }
}

@Suite struct AnthropicRequestEncodeTests {
    static func encode(_ r: ChatRequest) -> JSON { AnthropicCodec.encodeRequest(r) }

    @Test func defaultMaxTokens() {
        #expect(Self.encode(ChatRequest(model: "m"))["max_tokens"] == JSON(AnthropicRequestEncoder.defaultMaxTokens))
        #expect(AnthropicRequestEncoder.defaultMaxTokens == 4096)
        #expect(Self.encode(ChatRequest(model: "m", maxTokens: 77))["max_tokens"] == 77)
    }

    @Test func systemStringOrBlocks() {
        #expect(Self.encode(ChatRequest(model: "m", system: [.text("one")]))["system"] == "one")
        #expect(
            Self.encode(ChatRequest(model: "m", system: [.text("a"), .image(.url("u")), .text("b")]))["system"]
                == [["type": "text", "text": "a"], ["type": "text", "text": "b"]])
        #expect(Self.encode(ChatRequest(model: "m"))["system"] == nil)
    }

    @Test func mergesRolesOrdersToolResultsAndDropsEmptyText() {
        let r = ChatRequest(
            model: "m",
            messages: [
                Message(role: .user, content: [.text("a")]),
                Message(role: .user, content: [.text("b")]),
                Message(role: .assistant, content: [.text("")]),
                Message(role: .assistant, content: [.toolUse(id: "t", name: "f", input: .string("{bad"))]),
                Message(role: .user, content: [.text("note"), .toolResult(toolUseId: "t", content: [.text("r")], isError: true)]),
                Message(role: .assistant, content: [.thinking(text: "from openai", signature: nil), .text("ok")]),
            ])
        let expected = StreamHarness.json(
            #"""
            [{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
             {"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"r","is_error":true},{"type":"text","text":"note"}]},
             {"role":"assistant","content":"ok"}]
            """#)
        #expect(Self.encode(r)["messages"] == expected)
    }

    @Test func imagesAndSignedThinking() {
        let r = ChatRequest(
            model: "m",
            messages: [
                Message(role: .user, content: [.image(.base64(mediaType: "image/png", data: "AA")), .image(.url("https://i"))]),
                Message(role: .assistant, content: [.thinking(text: "t", signature: "s"), .redactedThinking(data: "d")]),
            ])
        let expected = StreamHarness.json(
            #"""
            [{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AA"}},
               {"type":"image","source":{"type":"url","url":"https://i"}}]},
             {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"redacted_thinking","data":"d"}]}]
            """#)
        #expect(Self.encode(r)["messages"] == expected)
    }

    @Test func samplingStopUserAndTemperatureClamp() {
        var r = ChatRequest(model: "m", temperature: 1.7, topP: 0.5, topK: 3, stop: ["x", "y"], stream: true, user: "u")
        var body = Self.encode(r)
        #expect(body["temperature"] == 1.0)
        #expect(body["top_p"] == 0.5)
        #expect(body["top_k"] == 3)
        #expect(body["stop_sequences"] == ["x", "y"])
        #expect(body["stream"] == true)
        #expect(body["metadata"] == ["user_id": "u"])
        r.temperature = 0.4
        body = Self.encode(r)
        #expect(body["temperature"] == 0.4)
    }

    @Test func toolsAndToolChoice() {
        var r = ChatRequest(model: "m", tools: [Tool(name: "f", description: "d", parameters: ["type": "object"])])
        #expect(Self.encode(r)["tools"] == [["name": "f", "description": "d", "input_schema": ["type": "object"]]])
        #expect(Self.encode(r)["tool_choice"] == nil)
        let cases: [(ToolChoice?, Bool?, JSON?)] = [
            (.auto, nil, ["type": "auto"]),
            (ToolChoice.none, nil, ["type": "none"]),
            (.required, nil, ["type": "any"]),
            (.tool(name: "f"), nil, ["type": "tool", "name": "f"]),
            (.required, false, ["type": "any", "disable_parallel_tool_use": true]),
            (.tool(name: "f"), false, ["type": "tool", "name": "f", "disable_parallel_tool_use": true]),
            (nil, false, ["type": "auto", "disable_parallel_tool_use": true]),
            (nil, true, nil),
            (.auto, true, ["type": "auto"]),
        ]
        for (choice, parallel, wire) in cases {
            r.toolChoice = choice
            r.parallelToolCalls = parallel
            #expect(Self.encode(r)["tool_choice"] == wire, "\(String(describing: choice)) \(String(describing: parallel))")
        }
        // Without tools there is nothing to choose among.
        #expect(Self.encode(ChatRequest(model: "m", toolChoice: .required, parallelToolCalls: false))["tool_choice"] == nil)
    }

    @Test func reasoningEffortBecomesThinkingBudget() {
        let table: [(String, Int)] = [("low", 1024), ("medium", 4096), ("high", 16384), ("minimal", 1024)]
        for (effort, budget) in table {
            let body = Self.encode(ChatRequest(model: "m", reasoning: Reasoning(effort: effort)))
            #expect(body["thinking"] == ["type": "enabled", "budget_tokens": JSON(budget)])
            // No client limit: the answer keeps the default room on top of the budget.
            #expect(body["max_tokens"] == JSON(budget + 4096))
        }
        #expect(Self.encode(ChatRequest(model: "m", reasoning: Reasoning(effort: "none")))["thinking"] == nil)
    }

    @Test func thinkingFitsUnderTheClientsLimit() {
        // Budget below the limit: both as asked.
        var body = Self.encode(ChatRequest(model: "m", maxTokens: 8000, reasoning: Reasoning(budgetTokens: 2000)))
        #expect(body["max_tokens"] == 8000)
        #expect(body["thinking"]?["budget_tokens"] == 2000)
        // Budget over the limit: the limit holds, the budget halves it.
        body = Self.encode(ChatRequest(model: "m", maxTokens: 3000, reasoning: Reasoning(effort: "high")))
        #expect(body["max_tokens"] == 3000)
        #expect(body["thinking"]?["budget_tokens"] == 1500)
        // No room for the minimum budget: no thinking.
        body = Self.encode(ChatRequest(model: "m", maxTokens: 1024, reasoning: Reasoning(effort: "low")))
        #expect(body["max_tokens"] == 1024)
        #expect(body["thinking"] == nil)
        // Budgets under Anthropic's minimum are raised to it.
        body = Self.encode(ChatRequest(model: "m", reasoning: Reasoning(budgetTokens: 100)))
        #expect(body["thinking"]?["budget_tokens"] == 1024)
    }

    @Test func thinkingDropsSamplingAnthropicRejects() {
        let body = Self.encode(ChatRequest(model: "m", temperature: 0.2, topP: 0.5, topK: 3, reasoning: Reasoning(effort: "low")))
        #expect(body["temperature"] == nil)
        #expect(body["top_p"] == nil)
        #expect(body["top_k"] == nil)
    }

    @Test func onlyAnthropicFieldsPassFromExtra() {
        var r = ChatRequest(model: "m")
        r.extra = [
            "seed": 1, "n": 2, "metadata": ["k": "v"], "container": "c", "mcp_servers": [], "context_management": [:],
            "service_tier": "flex", "model": "other",
        ]
        let body = Self.encode(r)
        #expect(body["seed"] == nil)
        #expect(body["n"] == nil)
        #expect(body["metadata"] == nil)
        #expect(body["service_tier"] == nil)
        #expect(body["container"] == "c")
        #expect(body["mcp_servers"] == [])
        #expect(body["context_management"] == [:])
        #expect(body["model"] == "m")
        r.extra = ["service_tier": "standard_only"]
        #expect(Self.encode(r)["service_tier"] == "standard_only")
    }

    @Test func responseFormatIsDropped() {
        #expect(Self.encode(ChatRequest(model: "m", responseFormat: ["type": "json_object"]))["response_format"] == nil)
    }

    @Test func roundTrip() throws {
        let text = #"""
            {"model":"claude","max_tokens":9000,"system":"s","messages":[{"role":"user","content":"q"},
             {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"sig"},{"type":"tool_use","id":"a","name":"f","input":{"x":[1,2]}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":"r"},{"type":"text","text":"more"}]}],
             "stop_sequences":["S"],"stream":true,"metadata":{"user_id":"u"},"tools":[{"name":"f","input_schema":{"type":"object"}}],
             "tool_choice":{"type":"auto","disable_parallel_tool_use":true},"thinking":{"type":"enabled","budget_tokens":4000},"container":"c"}
            """#
        let decoded = try AnthropicRequestDecodeTests.decode(text)
        #expect(try AnthropicCodec.decodeRequest(Self.encode(decoded)) == decoded)
    }
}

/// #16: signed thinking, budgets and cache breakpoints on the way to Anthropic.
@Suite struct AnthropicAgentRequestTests {
    static func encode(_ r: ChatRequest) -> JSON { AnthropicCodec.encodeRequest(r) }

    /// A budget whenever a valid one exists (1024 ≤ budget < max_tokens), never less for more effort.
    @Test func budgetIsChosenWheneverOneFitsAndIsMonotoneInEffort() {
        for maxTokens in [1025, 1500, 2048, 4000, 20000, 64000] {
            var last = 0
            for effort in ["minimal", "low", "medium", "high"] {
                let body = Self.encode(ChatRequest(model: "m", maxTokens: maxTokens, reasoning: Reasoning(effort: effort)))
                let b = body["thinking"]?["budget_tokens"]?.int
                #expect(b != nil, "\(effort) \(maxTokens)")
                guard let b else { continue }
                #expect(b >= 1024 && b < maxTokens, "\(effort) \(maxTokens): \(b)")
                #expect(b >= last, "\(effort) \(maxTokens) not monotone")
                last = b
                #expect(body["max_tokens"] == JSON(maxTokens))
            }
        }
        // medium with 1500 used to send nothing (half of 1500 is under 1024): now 1024.
        #expect(Self.encode(ChatRequest(model: "m", maxTokens: 1500, reasoning: Reasoning(effort: "medium")))["thinking"]?["budget_tokens"] == 1024)
    }

    /// Anthropic refuses a forced tool with thinking: the forced call is kept, thinking is not sent.
    @Test func aForcedToolLeavesThinkingOff() {
        for choice in [ToolChoice.required, .tool(name: "f")] {
            let body = Self.encode(ChatRequest(model: "m", tools: [Tool(name: "f")], toolChoice: choice, reasoning: Reasoning(effort: "high")))
            #expect(body["thinking"] == nil)
            #expect(body["tool_choice"]?["type"] != "auto")
        }
        let auto = Self.encode(ChatRequest(model: "m", tools: [Tool(name: "f")], toolChoice: .auto, reasoning: Reasoning(effort: "high")))
        #expect(auto["thinking"] != nil)
    }

    /// OpenAI-chat `cache_control` (parts, system, tools) reaches Anthropic's blocks, ttl kept.
    @Test func cacheBreakpointsMarkTheBlockBeforeThem() throws {
        let r = try OpenAIChatCodec.decodeRequest(StreamHarness.json(#"""
            {"model":"m","messages":[
              {"role":"system","content":[{"type":"text","text":"long rules","cache_control":{"type":"ephemeral","ttl":"1h"}}]},
              {"role":"user","content":[{"type":"text","text":"doc","cache_control":{"type":"ephemeral"}},{"type":"text","text":"q"}]}],
             "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}},"cache_control":{"type":"ephemeral"}}]}
            """#))
        let body = Self.encode(r)
        #expect(body["system"] == [["type": "text", "text": "long rules", "cache_control": ["type": "ephemeral", "ttl": "1h"]]])
        #expect(body["messages"]?[0]?["content"] == [
            ["type": "text", "text": "doc", "cache_control": ["type": "ephemeral"]], ["type": "text", "text": "q"],
        ])
        #expect(body["tools"]?[0]?["cache_control"] == ["type": "ephemeral"])
        // Providers without the marker never see it.
        let openAI = OpenAIChatCodec.encodeRequest(r)
        #expect(!openAI.jsonString.contains("cache_control"))
        let gemini = GeminiCodec.encodeRequest(r)
        #expect(!gemini.jsonString.contains("cache_control"))
    }

    /// LiteLLM's `thinking_blocks` sent back on an assistant message reach Anthropic signed, first.
    @Test func thinkingBlocksSentBackAreSignedBlocks() throws {
        let r = try OpenAIChatCodec.decodeRequest(StreamHarness.json(#"""
            {"model":"m","messages":[{"role":"user","content":"q"},
              {"role":"assistant","content":null,"reasoning_content":"t",
               "thinking_blocks":[{"type":"thinking","thinking":"t","signature":"sig=="},{"type":"redacted_thinking","data":"enc"}],
               "tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"a","content":"r"}]}
            """#))
        let body = Self.encode(r)
        #expect(body["messages"]?[1]?["content"] == [
            ["type": "thinking", "thinking": "t", "signature": "sig=="], ["type": "redacted_thinking", "data": "enc"],
            ["type": "tool_use", "id": "a", "name": "f", "input": [:]],
        ])
    }

    /// Structured output: OpenAI json_schema and Gemini's schema become Anthropic's
    /// `output_config.format`; Anthropic's comes back as OpenAI's `response_format`.
    @Test func structuredOutputMapsBothWays() throws {
        let schema: JSON = ["type": "object", "properties": ["a": ["type": "string"]], "required": ["a"], "additionalProperties": false]
        let fromOpenAI = Self.encode(ChatRequest(model: "m", responseFormat: ["type": "json_schema", "json_schema": ["name": "x", "schema": schema, "strict": true]]))
        #expect(fromOpenAI["output_config"] == ["format": ["type": "json_schema", "schema": schema]])
        #expect(fromOpenAI["response_format"] == nil)
        let gemini = try GeminiCodec.decodeRequest(StreamHarness.json(#"""
            {"contents":[{"role":"user","parts":[{"text":"q"}]}],
             "generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"object","properties":{"a":{"type":"string"}}}}}
            """#))
        #expect(Self.encode(gemini)["output_config"]?["format"]?["type"] == "json_schema")
        // json_object has no Anthropic form: nothing is sent (documented, not enforced).
        #expect(Self.encode(ChatRequest(model: "m", responseFormat: ["type": "json_object"]))["output_config"] == nil)
        let anthropic = try AnthropicCodec.decodeRequest(StreamHarness.json(#"""
            {"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],
             "output_config":{"format":{"type":"json_schema","schema":{"type":"object"}}}}
            """#))
        let openAI = OpenAIChatCodec.encodeRequest(anthropic)
        #expect(openAI["response_format"]?["json_schema"]?["schema"] == ["type": "object"])
        #expect(openAI["output_config"] == nil)
    }
}
