import Testing
import TollgateJSON

@testable import TollgateProtocols

@Suite struct OpenAIChatRequestDecodeTests {
    static func decode(_ text: String) throws -> ChatRequest {
        try OpenAIChatCodec.decodeRequest(StreamHarness.json(text))
    }

    static func failure(_ text: String) -> GatewayError? {
        do {
            _ = try OpenAIChatCodec.decodeRequest(StreamHarness.json(text))
            return nil
        } catch { return error }
    }

    @Test func systemAndDeveloperBecomeSystem() throws {
        let r = try Self.decode(
            #"{"model":"m","messages":[{"role":"system","content":"be brief"},{"role":"developer","content":[{"type":"text","text":"no emoji"}]},{"role":"user","content":"hi"}]}"#)
        #expect(r.model == "m")
        #expect(r.system == [.text("be brief"), .text("no emoji")])
        #expect(r.messages == [Message(role: .user, content: [.text("hi")])])
    }

    @Test func userArrayContentWithImages() throws {
        let r = try Self.decode(
            #"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"what?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"high"}},{"type":"image_url","image_url":{"url":"https://x.test/a.jpg"}},{"type":"image_url","image_url":"https://x.test/b.jpg"}]}]}"#)
        #expect(
            r.messages[0].content == [
                .text("what?"), .image(.base64(mediaType: "image/png", data: "AAAA")), .image(.url("https://x.test/a.jpg")),
                .image(.url("https://x.test/b.jpg")),
            ])
    }

    @Test func assistantToolCallsAndToolResultsMergeIntoOneUserTurn() throws {
        let r = try Self.decode(
            #"""
            {"model":"m","messages":[
              {"role":"user","content":"weather?"},
              {"role":"assistant","content":null,"tool_calls":[
                {"id":"call_1","type":"function","function":{"name":"w","arguments":"{\"city\":\"Paris\"}"}},
                {"id":"call_2","type":"function","function":{"name":"t","arguments":""}}]},
              {"role":"tool","tool_call_id":"call_1","content":"sunny"},
              {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"noon"}]},
              {"role":"user","content":"thanks"},
              {"role":"user","content":"and tomorrow?"}
            ]}
            """#)
        #expect(r.messages.count == 4)
        #expect(
            r.messages[1]
                == Message(
                    role: .assistant,
                    content: [
                        .toolUse(id: "call_1", name: "w", input: ["city": "Paris"]),
                        .toolUse(id: "call_2", name: "t", input: [:]),
                    ]))
        #expect(
            r.messages[2]
                == Message(
                    role: .user,
                    content: [
                        .toolResult(toolUseId: "call_1", content: [.text("sunny")], isError: false),
                        .toolResult(toolUseId: "call_2", content: [.text("noon")], isError: false),
                        .text("thanks"),
                    ]))
        // Plain consecutive user messages stay apart; the Anthropic encoder merges them.
        #expect(r.messages[3] == Message(role: .user, content: [.text("and tomorrow?")]))
    }

    @Test func invalidArgumentsAreKeptVerbatim() throws {
        let r = try Self.decode(
            #"{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{not json"}}]}]}"#)
        #expect(r.messages[0].content == [.toolUse(id: "c", name: "f", input: .string("{not json"))])
    }

    @Test func assistantReasoningContentBecomesThinking() throws {
        let r = try Self.decode(
            #"{"model":"m","messages":[{"role":"assistant","reasoning_content":"hmm","content":"42"}]}"#)
        #expect(r.messages[0].content == [.thinking(text: "hmm", signature: nil), .text("42")])
    }

    @Test func samplingOptions() throws {
        let r = try Self.decode(
            #"{"model":"m","messages":[],"max_tokens":10,"max_completion_tokens":20,"temperature":0.5,"top_p":0.9,"top_k":40,"stop":"END","user":"u1","stream":true,"stream_options":{"include_usage":true}}"#)
        #expect(r.maxTokens == 20)  // max_completion_tokens wins
        #expect(r.temperature == 0.5)
        #expect(r.topP == 0.9)
        #expect(r.topK == 40)
        #expect(r.stop == ["END"])
        #expect(r.user == "u1")
        #expect(r.stream)
        #expect(r.includeUsageInStream)
        #expect(try Self.decode(#"{"model":"m","messages":[],"max_tokens":7,"stop":["a","b"]}"#).maxTokens == 7)
        #expect(try Self.decode(#"{"model":"m","messages":[],"stop":["a","b"]}"#).stop == ["a", "b"])
        #expect(try Self.decode(#"{"model":"m","messages":[],"stream":true}"#).includeUsageInStream == false)
    }

    @Test func toolsAndToolChoice() throws {
        let r = try Self.decode(
            #"{"model":"m","messages":[],"tools":[{"type":"function","function":{"name":"w","description":"weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}},"strict":true}}],"tool_choice":"required","parallel_tool_calls":false}"#)
        #expect(
            r.tools == [
                Tool(name: "w", description: "weather", parameters: ["type": "object", "properties": ["city": ["type": "string"]]])
            ])
        #expect(r.toolChoice == .required)
        #expect(r.parallelToolCalls == false)
        let choices: [(String, ToolChoice)] = [
            (#""auto""#, .auto), (#""none""#, ToolChoice.none), (#""required""#, .required),
            (#"{"type":"function","function":{"name":"w"}}"#, .tool(name: "w")),
        ]
        for (wire, expected) in choices {
            #expect(try Self.decode(#"{"model":"m","messages":[],"tool_choice":\#(wire)}"#).toolChoice == expected)
        }
        // A tool without parameters gets the empty object schema.
        #expect(try Self.decode(#"{"model":"m","messages":[],"tools":[{"type":"function","function":{"name":"x"}}]}"#).tools == [Tool(name: "x")])
    }

    @Test func reasoningEffortAndThinking() throws {
        #expect(try Self.decode(#"{"model":"m","messages":[],"reasoning_effort":"high"}"#).reasoning == Reasoning(effort: "high"))
        #expect(
            try Self.decode(#"{"model":"m","messages":[],"thinking":{"type":"enabled","budget_tokens":2000}}"#).reasoning
                == Reasoning(budgetTokens: 2000))
        #expect(try Self.decode(#"{"model":"m","messages":[]}"#).reasoning == nil)
    }

    @Test func responseFormatAndExtra() throws {
        let r = try Self.decode(
            #"{"model":"m","messages":[],"response_format":{"type":"json_object"},"seed":7,"n":2,"logprobs":true}"#)
        #expect(r.responseFormat == ["type": "json_object"])
        #expect(r.extra == ["seed": 7, "n": 2, "logprobs": true])
    }

    @Test func missingAndMistypedFieldsAre400sNamingTheField() {
        let cases: [(String, String)] = [
            (#"{"messages":[]}"#, "model"),
            (#"{"model":"m"}"#, "messages"),
            (#"{"model":5,"messages":[]}"#, "model"),
            (#"{"model":"m","messages":{}}"#, "messages"),
            (#"{"model":"m","messages":[{"content":"x"}]}"#, "messages[0].role"),
            (#"{"model":"m","messages":[{"role":"user","content":5}]}"#, "messages[0].content"),
            (#"{"model":"m","messages":[{"role":"user"}]}"#, "messages[0].content"),
            (#"{"model":"m","messages":[{"role":"wizard","content":"x"}]}"#, "messages[0].role"),
            (#"{"model":"m","messages":[{"role":"tool","content":"x"}]}"#, "messages[0].tool_call_id"),
            (#"{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio"}]}]}"#, "messages[0].content[0].type"),
            (#"{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{}}]}]}"#, "messages[0].tool_calls[0].function.name"),
            (#"{"model":"m","messages":[],"temperature":"hot"}"#, "temperature"),
            (#"{"model":"m","messages":[],"max_tokens":1.5}"#, "max_tokens"),
            (#"{"model":"m","messages":[],"stop":[1]}"#, "stop[0]"),
            (#"{"model":"m","messages":[],"tools":[{"type":"custom","custom":{}}]}"#, "tools[0].type"),
            (#"{"model":"m","messages":[],"tool_choice":"sometimes"}"#, "tool_choice"),
            (#"{"model":"m","messages":[],"stream":"yes"}"#, "stream"),
        ]
        for (body, param) in cases {
            let e = Self.failure(body)
            #expect(e?.status == 400, "\(body)")
            #expect(e?.kind == .invalidRequest)
            #expect(e?.param == param, "\(body)")
            #expect(e?.message.contains(param) == true, "\(body)")
        }
        #expect(Self.failure("[]")?.status == 400)
    }
}

@Suite struct OpenAIChatRequestEncodeTests {
    static func encode(_ r: ChatRequest) -> JSON { OpenAIChatCodec.encodeRequest(r) }

    @Test func fullRequest() {
        var r = ChatRequest(model: "gpt-4o", system: [.text("a"), .text("b")])
        r.messages = [
            Message(role: .user, content: [.text("hi"), .image(.base64(mediaType: "image/png", data: "AA"))]),
            Message(
                role: .assistant,
                content: [.thinking(text: "hmm", signature: "sig"), .toolUse(id: "c1", name: "w", input: ["city": "Paris"])]),
            Message(
                role: .user,
                content: [
                    .text("here"), .toolResult(toolUseId: "c1", content: [.text("sun"), .text("ny")], isError: true),
                ]),
        ]
        r.maxTokens = 100
        r.temperature = 0.2
        r.topP = 1
        r.stop = ["x"]
        r.stream = true
        r.includeUsageInStream = true
        r.user = "u"
        r.tools = [Tool(name: "w", description: "d")]
        r.toolChoice = .tool(name: "w")
        r.parallelToolCalls = true
        r.responseFormat = ["type": "json_object"]
        let expected = StreamHarness.json(
            #"""
            {"model":"gpt-4o","messages":[
              {"role":"system","content":"a\n\nb"},
              {"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AA"}}]},
              {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"w","arguments":"{\"city\":\"Paris\"}"}}]},
              {"role":"tool","tool_call_id":"c1","content":"sunny"},
              {"role":"user","content":"here"}],
             "max_tokens":100,"temperature":0.2,"top_p":1,"stop":["x"],"stream":true,"stream_options":{"include_usage":true},
             "user":"u","tools":[{"type":"function","function":{"name":"w","description":"d","parameters":{"type":"object","properties":{}}}}],
             "tool_choice":{"type":"function","function":{"name":"w"}},"parallel_tool_calls":true,"response_format":{"type":"json_object"}}
            """#)
        #expect(StreamHarness.normalized(Self.encode(r)) == expected)
    }

    @Test func reasoningUsesMaxCompletionTokensAndEffort() {
        var r = ChatRequest(model: "o3", maxTokens: 500)
        r.reasoning = Reasoning(budgetTokens: 20000)
        let body = Self.encode(r)
        #expect(body["max_completion_tokens"] == 500)
        #expect(body["max_tokens"] == nil)
        #expect(body["reasoning_effort"] == "high")
        r.reasoning = Reasoning(effort: "low")
        #expect(Self.encode(r)["reasoning_effort"] == "low")
    }

    @Test func parallelToolCallsAndToolChoiceOnlyWithTools() {
        var r = ChatRequest(model: "m")
        r.parallelToolCalls = false
        r.toolChoice = .auto
        let body = Self.encode(r)
        #expect(body["parallel_tool_calls"] == nil)
        #expect(body["tool_choice"] == nil)
        for (choice, wire) in [(ToolChoice.auto, JSON("auto")), (.none, "none"), (.required, "required")] {
            var t = ChatRequest(model: "m", tools: [Tool(name: "f")])
            t.toolChoice = choice
            #expect(Self.encode(t)["tool_choice"] == wire)
        }
    }

    @Test func streamWithoutUsageHasNoStreamOptions() {
        let body = Self.encode(ChatRequest(model: "m", stream: true))
        #expect(body["stream"] == true)
        #expect(body["stream_options"] == nil)
        #expect(Self.encode(ChatRequest(model: "m"))["stream"] == nil)
    }

    @Test func extraIsCopiedButNeverOverridesAndAnthropicOnlyFieldsAreDropped() {
        var r = ChatRequest(model: "m", maxTokens: 5)
        r.extra = ["seed": 1, "model": "other", "max_tokens": 99, "container": "c", "mcp_servers": []]
        let body = Self.encode(r)
        #expect(body["seed"] == 1)
        #expect(body["model"] == "m")
        #expect(body["max_tokens"] == 5)
        #expect(body["container"] == nil)
        #expect(body["mcp_servers"] == nil)
    }

    @Test func assistantWithEmptyContentStillHasContent() {
        let r = ChatRequest(model: "m", messages: [Message(role: .assistant, content: [])])
        #expect(Self.encode(r)["messages"]?[0] == ["role": "assistant", "content": ""])
    }

    @Test func invalidArgumentsRoundTripVerbatim() throws {
        let text = #"{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{oops"}}]}]}"#
        let body = Self.encode(try OpenAIChatRequestDecodeTests.decode(text))
        #expect(body["messages"]?[0]?["tool_calls"]?[0]?["function"]?["arguments"] == "{oops")
    }

    @Test func roundTripKeepsTheRequest() throws {
        let text = #"""
            {"model":"gpt-4o","messages":[{"role":"system","content":"s"},{"role":"user","content":"q"},
            {"role":"assistant","content":"a","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}}]},
            {"role":"tool","tool_call_id":"c","content":"r"},{"role":"user","content":[{"type":"text","text":"t"},{"type":"image_url","image_url":{"url":"https://i"}}]}],
            "max_tokens":9,"temperature":1,"stop":["s"],"stream":true,"stream_options":{"include_usage":true},"user":"u",
            "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":"auto","parallel_tool_calls":false,"seed":3}
            """#
        let decoded = try OpenAIChatRequestDecodeTests.decode(text)
        let again = try OpenAIChatCodec.decodeRequest(Self.encode(decoded))
        #expect(again == decoded)
        // The `tool` message and the user message after it are separate on the wire again.
        #expect(Self.encode(decoded)["messages"]?.array?.count == 5)
    }
}
