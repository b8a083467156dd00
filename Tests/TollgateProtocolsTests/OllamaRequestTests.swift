import Testing
import TollgateJSON
@testable import TollgateProtocols

@Suite struct OllamaRequestDecodeTests {
    func decode(_ s: String) throws -> ChatRequest { try OllamaCodec.decodeRequest(try JSON.parse(s)) }

    @Test func messagesImagesAndDefaultStreaming() throws {
        let r = try decode("""
            {"model":"llama3.1:8b","messages":[{"role":"system","content":"sys"},
              {"role":"user","content":"what is this?","images":["iVBORw0KGgoAAA","/9j/4AAQ"]},
              {"role":"assistant","content":"a cat","thinking":"looks furry"}]}
            """)
        #expect(r.model == "llama3.1:8b")
        #expect(r.stream == true)  // Ollama's default
        #expect(r.system == [.text("sys")])
        #expect(r.messages == [
            Message(role: .user, content: [
                .image(.base64(mediaType: "image/png", data: "iVBORw0KGgoAAA")),
                .image(.base64(mediaType: "image/jpeg", data: "/9j/4AAQ")), .text("what is this?"),
            ]),
            Message(role: .assistant, content: [.thinking(text: "looks furry", signature: nil), .text("a cat")]),
        ])
    }

    @Test func toolCallsAndResultsPairByName() throws {
        let r = try decode("""
            {"model":"m","stream":false,"messages":[{"role":"user","content":"q"},
              {"role":"assistant","content":"","tool_calls":[{"function":{"name":"a","arguments":{"x":1}}},
                                                            {"function":{"name":"b","arguments":{}}}]},
              {"role":"tool","content":"B!","tool_name":"b"},{"role":"tool","content":"A!"}],
             "tools":[{"type":"function","function":{"name":"a","description":"d","parameters":{"type":"object","properties":{}}}}]}
            """)
        #expect(r.stream == false)
        #expect(r.messages[1].content == [
            .toolUse(id: "call_0", name: "a", input: ["x": 1]), .toolUse(id: "call_1", name: "b", input: [:]),
        ])
        // Two tool messages → one user turn; the unnamed one takes the oldest open call.
        #expect(r.messages[2] == Message(role: .user, content: [
            .toolResult(toolUseId: "call_1", content: [.text("B!")], isError: false),
            .toolResult(toolUseId: "call_0", content: [.text("A!")], isError: false),
        ]))
        #expect(r.tools == [Tool(name: "a", description: "d")])
    }

    @Test func optionsFormatThink() throws {
        let r = try decode("""
            {"model":"m","messages":[],"options":{"temperature":0.1,"top_p":0.5,"top_k":9,"num_predict":64,
             "stop":["\\n"],"num_ctx":8192},"format":{"type":"object"},"think":"high","keep_alive":"5m"}
            """)
        #expect(r.temperature == 0.1)
        #expect(r.topP == 0.5)
        #expect(r.topK == 9)
        #expect(r.maxTokens == 64)
        #expect(r.stop == ["\n"])
        #expect(r.extra["options"] == ["num_ctx": 8192])
        #expect(r.extra["keep_alive"] == "5m")
        #expect(r.responseFormat == ["type": "json_schema", "json_schema": ["name": "response", "schema": ["type": "object"]]])
        #expect(r.reasoning == Reasoning(effort: "high"))
        let j = try decode(#"{"model":"m","messages":[],"format":"json","think":false,"options":{"num_predict":-1}}"#)
        #expect(j.responseFormat == ["type": "json_object"])
        #expect(j.reasoning == nil)
        #expect(j.extra["think"] == false)
        #expect(j.maxTokens == nil)
        #expect(try decode(#"{"model":"m","messages":[],"think":true}"#).reasoning == Reasoning())
    }

    @Test func badRequests() {
        func param(_ s: String) -> String? {
            do { _ = try decode(s); return "no error" } catch let e as GatewayError { return e.param } catch { return "other" }
        }
        #expect(param(#"{"messages":[]}"#) == "model")
        #expect(param(#"{"model":"m"}"#) == "messages")
        #expect(param(#"{"model":"m","messages":[{"content":"x"}]}"#) == "messages[0].role")
        #expect(param(#"{"model":"m","messages":[{"role":"robot"}]}"#) == "messages[0].role")
        #expect(param(#"{"model":"m","messages":[{"role":"user","images":[1]}]}"#) == "messages[0].images[0]")
        #expect(param(#"{"model":"m","messages":[],"options":[]}"#) == "options")
        #expect(param(#"{"model":"m","messages":[],"tools":[{"type":"function","function":{}}]}"#) == "tools[0].function.name")
    }
}

@Suite struct OllamaRequestEncodeTests {
    @Test func fullRequestAlwaysSaysStream() throws {
        var r = ChatRequest(model: "qwen3", system: [.text("a"), .text("b")], messages: [
            Message(role: .user, content: [.text("look"), .image(.base64(mediaType: "image/png", data: "AA")),
                                           .image(.url("https://x.test/i.png"))]),
            Message(role: .assistant, content: [.thinking(text: "t", signature: "s"), .text("ok"),
                                                .toolUse(id: "toolu_1", name: "f", input: .string(#"{"a":1}"#))]),
            Message(role: .user, content: [.toolResult(toolUseId: "toolu_1", content: [.text("r")], isError: true), .text("thanks")]),
        ])
        r.maxTokens = 5; r.temperature = 0.3; r.stop = ["x"]; r.topK = 2; r.topP = 0.4
        r.tools = [Tool(name: "f")]
        r.responseFormat = ["type": "json_schema", "json_schema": ["name": "n", "schema": ["type": "object"]]]
        r.reasoning = Reasoning(budgetTokens: 2000)
        #expect(OllamaCodec.encodeRequest(r).jsonString == """
            {"model":"qwen3","messages":[{"role":"system","content":"a\\nb"},\
            {"role":"user","content":"look","images":["AA"]},\
            {"role":"assistant","content":"ok","thinking":"t","tool_calls":[{"function":{"name":"f","arguments":{"a":1}}}]},\
            {"role":"tool","content":"r","tool_name":"f"},{"role":"user","content":"thanks"}],\
            "stream":false,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{}}}}],\
            "format":{"type":"object"},"options":{"temperature":0.3,"top_p":0.4,"top_k":2,"num_predict":5,"stop":["x"]},"think":true}
            """)
        r.stream = true
        #expect(OllamaCodec.encodeRequest(r)["stream"] == true)
    }

    @Test func toolChoiceApproximations() {
        var r = ChatRequest(model: "m", tools: [Tool(name: "a"), Tool(name: "b")])
        r.toolChoice = ToolChoice.none
        #expect(OllamaCodec.encodeRequest(r)["tools"] == nil)
        r.toolChoice = .tool(name: "b")
        #expect(OllamaCodec.encodeRequest(r)["tools"]?.array?.count == 1)
        #expect(OllamaCodec.encodeRequest(r)["tools"]?[0]?["function"]?["name"] == "b")
        r.toolChoice = .required
        #expect(OllamaCodec.encodeRequest(r)["tools"]?.array?.count == 2)
    }

    @Test func thinkAndExtras() {
        var r = ChatRequest(model: "m")
        r.reasoning = Reasoning(effort: "low")
        #expect(OllamaCodec.encodeRequest(r)["think"] == "low")
        r.reasoning = Reasoning(budgetTokens: 0)
        #expect(OllamaCodec.encodeRequest(r)["think"] == false)
        r.reasoning = nil
        r.extra = ["think": false, "keep_alive": 0, "options": ["num_ctx": 4096], "seed": 1]
        r.temperature = 0
        let b = OllamaCodec.encodeRequest(r)
        #expect(b["think"] == false)
        #expect(b["keep_alive"] == 0)
        #expect(b["options"] == ["num_ctx": 4096, "temperature": 0.0])
        #expect(b["seed"] == nil)
        r.responseFormat = ["type": "json_object"]
        #expect(OllamaCodec.encodeRequest(r)["format"] == "json")
    }

    @Test func roundTrip() throws {
        let wire = """
            {"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":"q","images":["iVBORw0KGgo"]},\
            {"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{"a":1}}}]},\
            {"role":"tool","content":"r","tool_name":"f"}],"stream":true,\
            "options":{"num_ctx":2048,"temperature":0.5},"keep_alive":"1m"}
            """
        #expect(OllamaCodec.encodeRequest(try OllamaCodec.decodeRequest(try JSON.parse(wire))).jsonString == wire)
    }
}
