import Testing
import TollgateJSON
@testable import TollgateProtocols

@Suite struct ResponsesRequestDecodeTests {
    func decode(_ s: String) throws -> ChatRequest { try ResponsesCodec.decodeRequest(try JSON.parse(s)) }

    @Test func stringInputAndScalars() throws {
        let r = try decode("""
            {"model":"gpt-4.1","input":"hi","instructions":"be brief","max_output_tokens":50,"temperature":0.3,
             "top_p":0.9,"stream":true,"user":"u","parallel_tool_calls":false,"reasoning":{"effort":"low"},
             "store":false,"previous_response_id":"resp_1","metadata":{"k":"v"}}
            """)
        #expect(r.model == "gpt-4.1")
        #expect(r.system == [.text("be brief")])
        #expect(r.messages == [Message(role: .user, content: [.text("hi")])])
        #expect(r.maxTokens == 50)
        #expect(r.temperature == 0.3)
        #expect(r.topP == 0.9)
        #expect(r.stream)
        #expect(r.user == "u")
        #expect(r.parallelToolCalls == false)
        #expect(r.reasoning == Reasoning(effort: "low"))
        #expect(r.extra == ["store": false, "previous_response_id": "resp_1", "metadata": ["k": "v"]])
    }

    @Test func itemsAllKinds() throws {
        let r = try decode("""
            {"model":"m","input":[
              {"role":"developer","content":"dev rules"},
              {"role":"user","content":[{"type":"input_text","text":"look"},{"type":"input_image","image_url":"data:image/png;base64,AAA"},
                                        {"type":"input_image","image_url":"https://x.test/a.jpg","detail":"low"}]},
              {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"s1"},{"type":"summary_text","text":"s2"}],
               "encrypted_content":"ENC"},
              {"type":"message","id":"msg_1","role":"assistant","status":"completed",
               "content":[{"type":"output_text","text":"calling","annotations":[]}]},
              {"type":"function_call","id":"fc_1","call_id":"call_a","name":"f","arguments":"{\\"x\\":1}","status":"completed"},
              {"type":"function_call","call_id":"call_b","name":"g","arguments":"not json"},
              {"type":"function_call_output","call_id":"call_a","output":"A"},
              {"type":"function_call_output","call_id":"call_b","output":[{"type":"input_text","text":"B"}]},
              {"role":"user","content":"thanks"}]}
            """)
        #expect(r.system == [.text("dev rules")])
        #expect(r.messages == [
            Message(role: .user, content: [.text("look"), .image(.base64(mediaType: "image/png", data: "AAA")),
                                           .image(.url("https://x.test/a.jpg"))]),
            Message(role: .assistant, content: [
                .thinking(text: "s1\n\ns2", signature: "ENC"), .text("calling"),
                .toolUse(id: "call_a", name: "f", input: ["x": 1]), .toolUse(id: "call_b", name: "g", input: .string("not json")),
            ]),
            Message(role: .user, content: [
                .toolResult(toolUseId: "call_a", content: [.text("A")], isError: false),
                .toolResult(toolUseId: "call_b", content: [.text("B")], isError: false), .text("thanks"),
            ]),
        ])
    }

    @Test func toolsChoiceAndTextFormat() throws {
        let r = try decode("""
            {"model":"m","input":"x","tools":[{"type":"function","name":"f","description":"d","parameters":{"type":"object"},"strict":true}],
             "tool_choice":{"type":"function","name":"f"},
             "text":{"format":{"type":"json_schema","name":"out","schema":{"type":"object"},"strict":true},"verbosity":"low"},
             "reasoning":{"effort":"high","summary":"auto"}}
            """)
        #expect(r.tools == [Tool(name: "f", description: "d", parameters: ["type": "object"])])
        #expect(r.toolChoice == .tool(name: "f"))
        #expect(r.responseFormat == ["type": "json_schema", "json_schema": ["name": "out", "schema": ["type": "object"], "strict": true]])
        #expect(r.extra["text"] == ["verbosity": "low"])
        #expect(r.extra["reasoning"] == ["effort": "high", "summary": "auto"])
        #expect(r.reasoning == Reasoning(effort: "high"))
        #expect(try decode(#"{"model":"m","input":"x","tool_choice":"required"}"#).toolChoice == .required)
        #expect(try decode(#"{"model":"m","input":"x","text":{"format":{"type":"json_object"}}}"#).responseFormat == ["type": "json_object"])
        #expect(try decode(#"{"model":"m","previous_response_id":"resp_9"}"#).messages.isEmpty)
    }

    @Test func badRequests() {
        func param(_ s: String) -> String? {
            do { _ = try decode(s); return "no error" } catch let e as GatewayError {
                #expect(e.status == 400)
                return e.param
            } catch { return "other" }
        }
        #expect(param(#"{"input":"x"}"#) == "model")
        #expect(param(#"{"model":"m"}"#) == "input")
        #expect(param(#"{"model":"m","input":5}"#) == "input")
        #expect(param(#"{"model":"m","input":[{"role":"bot","content":"x"}]}"#) == "input[0].role")
        #expect(param(#"{"model":"m","input":[{"type":"item_reference","id":"x"}]}"#) == "input[0].type")
        #expect(param(#"{"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]}"#) == "input[0].content[0].type")
        #expect(param(#"{"model":"m","input":[{"role":"user","content":[{"type":"input_image","file_id":"f"}]}]}"#) == "input[0].content[0].image_url")
        #expect(param(#"{"model":"m","input":[{"type":"function_call","name":"f"}]}"#) == "input[0]")
        // web_search translates (#16); a hosted tool without an equivalent is refused at its type.
        #expect(param(#"{"model":"m","input":"x","tools":[{"type":"file_search"}]}"#) == "tools[0].type")
        #expect(param(#"{"model":"m","input":"x","tool_choice":"sometimes"}"#) == "tool_choice")
    }
}

@Suite struct ResponsesRequestEncodeTests {
    @Test func fullRequest() throws {
        var r = ChatRequest(model: "gpt-5", system: [.text("a"), .text("b")], messages: [
            Message(role: .user, content: [.text("look"), .image(.base64(mediaType: "image/png", data: "AA"))]),
            Message(role: .assistant, content: [.thinking(text: "t", signature: "sig"), .text("ok"),
                                                .toolUse(id: "toolu_1", name: "f", input: ["a": 1])]),
            Message(role: .user, content: [.toolResult(toolUseId: "toolu_1", content: [.text("r")], isError: true), .text("more")]),
        ])
        r.maxTokens = 9; r.temperature = 0.5; r.topP = 0.7; r.topK = 3; r.stop = ["x"]; r.stream = true; r.user = "u"
        r.tools = [Tool(name: "f", description: "d")]
        r.toolChoice = .tool(name: "f")
        r.parallelToolCalls = true
        r.reasoning = Reasoning(budgetTokens: 10000)
        r.responseFormat = ["type": "json_schema", "json_schema": ["name": "n", "schema": ["type": "object"], "strict": true]]
        r.extra = ["store": false, "frequency_penalty": 1]
        #expect(ResponsesCodec.encodeRequest(r).jsonString == """
            {"model":"gpt-5","instructions":"a\\n\\nb","input":[\
            {"role":"user","content":[{"type":"input_text","text":"look"},{"type":"input_image","image_url":"data:image/png;base64,AA"}]},\
            {"role":"assistant","content":[{"type":"output_text","text":"ok"}]},\
            {"type":"function_call","call_id":"toolu_1","name":"f","arguments":"{\\"a\\":1}"},\
            {"type":"function_call_output","call_id":"toolu_1","output":"r"},\
            {"role":"user","content":[{"type":"input_text","text":"more"}]}],\
            "max_output_tokens":9,"temperature":0.5,"top_p":0.7,\
            "tools":[{"type":"function","name":"f","description":"d","parameters":{"type":"object","properties":{}}}],\
            "tool_choice":{"type":"function","name":"f"},"parallel_tool_calls":true,"stream":true,"reasoning":{"effort":"medium","summary":"auto"},\
            "text":{"format":{"type":"json_schema","name":"n","schema":{"type":"object"},"strict":true}},"user":"u","store":false}
            """)
    }

    @Test func rawArgumentsStayVerbatim() {
        let r = ChatRequest(model: "m", messages: [Message(role: .assistant, content: [.toolUse(id: "c", name: "f", input: .string("{oops"))])])
        #expect(ResponsesCodec.encodeRequest(r)["input"]?[0]?["arguments"] == "{oops")
    }

    @Test func roundTrip() throws {
        let wire = """
            {"model":"m","instructions":"s","input":[{"role":"user","content":[{"type":"input_text","text":"q"}]},\
            {"type":"function_call","call_id":"c1","name":"f","arguments":"{\\"a\\":1}"},\
            {"type":"function_call_output","call_id":"c1","output":"r"}],"tool_choice":"auto","stream":false,\
            "reasoning":{"effort":"low","summary":"auto"},"text":{"verbosity":"high","format":{"type":"json_object"}},\
            "previous_response_id":"resp_0"}
            """
        #expect(ResponsesCodec.encodeRequest(try ResponsesCodec.decodeRequest(try JSON.parse(wire))).jsonString == wire)
    }
}
