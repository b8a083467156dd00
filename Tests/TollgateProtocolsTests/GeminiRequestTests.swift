import Testing
import TollgateJSON
@testable import TollgateProtocols

@Suite struct GeminiRequestDecodeTests {
    func decode(_ s: String) throws -> ChatRequest { try GeminiCodec.decodeRequest(try JSON.parse(s)) }

    @Test func textSystemAndRoles() throws {
        let r = try decode("""
            {"systemInstruction":{"parts":[{"text":"be brief"},{"text":"be kind"}]},
             "contents":[{"role":"user","parts":[{"text":"hi"}]},{"role":"model","parts":[{"text":"hello"}]},
                         {"parts":[{"text":"no role means user"}]}]}
            """)
        #expect(r.model == "")  // the core fills it from the URL
        #expect(r.system == [.text("be brief"), .text("be kind")])
        #expect(r.messages == [
            Message(role: .user, content: [.text("hi")]),
            Message(role: .assistant, content: [.text("hello")]),
            Message(role: .user, content: [.text("no role means user")]),
        ])
        #expect(r.stream == false)
    }

    @Test func snakeCaseFieldsAreAccepted() throws {
        let r = try decode("""
            {"system_instruction":{"parts":[{"text":"s"}]},"contents":[{"role":"user","parts":[
              {"inline_data":{"mime_type":"image/png","data":"AAAA"}}]}],
             "generation_config":{"max_output_tokens":5,"top_k":3}}
            """)
        #expect(r.system == [.text("s")])
        #expect(r.messages[0].content == [.image(.base64(mediaType: "image/png", data: "AAAA"))])
        #expect(r.maxTokens == 5)
        #expect(r.topK == 3)
    }

    @Test func imagesInlineAndFileData() throws {
        let r = try decode("""
            {"contents":[{"role":"user","parts":[{"inlineData":{"mimeType":"image/jpeg","data":"/9j/"}},
              {"fileData":{"mimeType":"image/png","fileUri":"https://x.test/a.png"}}]}]}
            """)
        #expect(r.messages[0].content == [
            .image(.base64(mediaType: "image/jpeg", data: "/9j/")), .image(.url("https://x.test/a.png")),
        ])
    }

    @Test func functionCallsGetStableIdsAndResultsPairByName() throws {
        let r = try decode("""
            {"contents":[
              {"role":"user","parts":[{"text":"weather and time?"}]},
              {"role":"model","parts":[{"functionCall":{"name":"weather","args":{"city":"Oslo"}}},
                                       {"functionCall":{"name":"time","args":{}},"thoughtSignature":"sig=="}]},
              {"role":"user","parts":[{"functionResponse":{"name":"time","response":{"result":"noon"}}},
                                      {"functionResponse":{"name":"weather","response":{"temp":3}}}]},
              {"role":"model","parts":[{"functionCall":{"id":"given","name":"weather","args":{}}}]},
              {"role":"function","parts":[{"functionResponse":{"id":"given","name":"weather","response":{"error":"down"}}}]}]}
            """)
        #expect(r.messages[1].content == [
            .toolUse(id: "call_0", name: "weather", input: ["city": "Oslo"]),
            .toolUse(id: "call_1__ts__sig==", name: "time", input: [:]),
        ])
        #expect(r.messages[2].content == [
            .toolResult(toolUseId: "call_1__ts__sig==", content: [.text("noon")], isError: false),
            .toolResult(toolUseId: "call_0", content: [.text("{\"temp\":3}")], isError: false),
        ])
        #expect(r.messages[3].content == [.toolUse(id: "given", name: "weather", input: [:])])
        #expect(r.messages[4] == Message(role: .user, content: [.toolResult(toolUseId: "given", content: [.text("down")], isError: true)]))
    }

    @Test func thoughtPartsBecomeThinking() throws {
        let r = try decode("""
            {"contents":[{"role":"model","parts":[{"text":"hmm","thought":true,"thoughtSignature":"s1"},{"text":"answer"}]}]}
            """)
        #expect(r.messages[0].content == [.thinking(text: "hmm", signature: "s1"), .text("answer")])
    }

    @Test func toolsAndSchemasNormalized() throws {
        let r = try decode("""
            {"contents":[],"tools":[{"functionDeclarations":[
              {"name":"f","description":"d","parameters":{"type":"OBJECT","properties":{"a":{"type":"STRING"},
                "l":{"type":"ARRAY","items":{"type":"INTEGER"}}},"required":["a"]}},
              {"name":"g"}]},{"googleSearch":{}},{"codeExecution":{}}],
             "toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["f"]}}}
            """)
        // googleSearch is the hosted web search other providers have (#16); codeExecution is Gemini's own.
        #expect(r.tools.count == 3)
        #expect(r.tools[2] == Tool(name: "web_search", hosted: .webSearch))
        #expect(r.tools[0] == Tool(name: "f", description: "d", parameters: try JSON.parse("""
            {"type":"object","properties":{"a":{"type":"string"},"l":{"type":"array","items":{"type":"integer"}}},"required":["a"]}
            """)))
        #expect(r.tools[1] == Tool(name: "g"))
        #expect(r.toolChoice == .tool(name: "f"))
        #expect(r.extra["tools"] == [["codeExecution": [:]]])
    }

    @Test(arguments: [("AUTO", ToolChoice.auto), ("NONE", .none), ("ANY", .required)])
    func toolChoiceModes(mode: String, choice: ToolChoice) throws {
        let r = try decode(#"{"contents":[],"toolConfig":{"functionCallingConfig":{"mode":"\#(mode)"}}}"#)
        #expect(r.toolChoice == choice)
    }

    @Test func generationConfig() throws {
        let r = try decode("""
            {"contents":[],"generationConfig":{"maxOutputTokens":100,"temperature":0.5,"topP":0.9,"topK":40,
              "stopSequences":["END"],"seed":7,"responseMimeType":"application/json",
              "responseSchema":{"type":"OBJECT","properties":{"x":{"type":"NUMBER"}}},
              "thinkingConfig":{"thinkingBudget":1024,"includeThoughts":true}},
             "safetySettings":[{"category":"HARM_CATEGORY_HATE_SPEECH","threshold":"BLOCK_NONE"}],"cachedContent":"c/1"}
            """)
        #expect(r.maxTokens == 100)
        #expect(r.temperature == 0.5)
        #expect(r.topP == 0.9)
        #expect(r.topK == 40)
        #expect(r.stop == ["END"])
        #expect(r.reasoning == Reasoning(budgetTokens: 1024))
        #expect(r.responseFormat == [
            "type": "json_schema",
            "json_schema": ["name": "response", "schema": ["type": "object", "properties": ["x": ["type": "number"]]]],
        ])
        #expect(r.extra["generationConfig"] == ["seed": 7])
        #expect(r.extra["safetySettings"]?.array?.count == 1)
        #expect(r.extra["cachedContent"] == "c/1")
    }

    @Test func jsonMimeWithoutSchemaIsJSONObject() throws {
        let r = try decode(#"{"contents":[],"generationConfig":{"responseMimeType":"application/json"}}"#)
        #expect(r.responseFormat == ["type": "json_object"])
    }

    @Test func badRequestsNameTheField() throws {
        func param(_ s: String) -> String? {
            do { _ = try decode(s); return "no error" } catch let e as GatewayError {
                #expect(e.status == 400)
                return e.param
            } catch { return "other error" }
        }
        #expect(param(#"{}"#) == "contents")
        #expect(param(#"[]"#) == nil)
        #expect(param(#"{"contents":[{"role":"bot","parts":[]}]}"#) == "contents[0].role")
        #expect(param(#"{"contents":[{"role":"user"}]}"#) == "contents[0].parts")
        #expect(param(#"{"contents":[{"parts":[{"executableCode":{"code":"1"}}]}]}"#) == "contents[0].parts[0]")
        #expect(param(#"{"contents":[{"parts":[{"inlineData":{"mimeType":"audio/wav","data":"x"}}]}]}"#) == "contents[0].parts[0].inlineData.mimeType")
        #expect(param(#"{"contents":[{"parts":[{"functionCall":{"args":{}}}]}]}"#) == "contents[0].parts[0].functionCall.name")
        #expect(param(#"{"contents":[],"toolConfig":{"functionCallingConfig":{"mode":"SOMETIMES"}}}"#) == "toolConfig.functionCallingConfig.mode")
    }
}

@Suite struct GeminiRequestEncodeTests {
    @Test func fullRequest() throws {
        var r = ChatRequest(model: "gemini-2.5-flash", system: [.text("sys")], messages: [
            Message(role: .user, content: [.text("hi"), .image(.base64(mediaType: "image/png", data: "AA")),
                                           .image(.url("https://x.test/cat.webp?s=1"))]),
            Message(role: .assistant, content: [.thinking(text: "t", signature: "anthropic-sig"), .text("ok")]),
        ])
        r.maxTokens = 10; r.temperature = 0.2; r.topP = 0.8; r.topK = 5; r.stop = ["x"]; r.stream = true
        r.user = "u1"
        let body = GeminiCodec.encodeRequest(r)
        #expect(body["model"] == nil)
        #expect(body["stream"] == nil)
        #expect(body.jsonString == """
            {"contents":[{"role":"user","parts":[{"text":"hi"},{"inlineData":{"mimeType":"image/png","data":"AA"}},\
            {"fileData":{"mimeType":"image/webp","fileUri":"https://x.test/cat.webp?s=1"}}]},\
            {"role":"model","parts":[{"text":"ok"}]}],"systemInstruction":{"parts":[{"text":"sys"}]},\
            "generationConfig":{"maxOutputTokens":10,"temperature":0.2,"topP":0.8,"topK":5,"stopSequences":["x"]}}
            """)
    }

    @Test func toolCallsAndResultsFindNamesAndSignatures() throws {
        let r = ChatRequest(model: "m", messages: [
            Message(role: .assistant, content: [.toolUse(id: "call_0__ts__SIG", name: "weather", input: ["c": "Oslo"])]),
            Message(role: .user, content: [.toolResult(toolUseId: "call_0__ts__SIG", content: [.text("sunny")], isError: false)]),
            // The same synthesized id in a later turn pairs with the nearer call.
            Message(role: .assistant, content: [.toolUse(id: "call_0", name: "time", input: .string("{\"tz\":\"UTC\"}"))]),
            Message(role: .user, content: [
                .toolResult(toolUseId: "call_0", content: [.text("{\"h\":12}")], isError: false),
                .toolResult(toolUseId: "orphan", content: [.text("boom")], isError: true),
            ]),
            Message(role: .assistant, content: [.redactedThinking(data: "x")]),  // nothing left: skipped
        ])
        let body = GeminiCodec.encodeRequest(r)
        #expect(body["contents"]?.jsonString == """
            [{"role":"model","parts":[{"functionCall":{"name":"weather","args":{"c":"Oslo"}},"thoughtSignature":"SIG"}]},\
            {"role":"user","parts":[{"functionResponse":{"name":"weather","response":{"content":"sunny"}}}]},\
            {"role":"model","parts":[{"functionCall":{"name":"time","args":{"tz":"UTC"}}}]},\
            {"role":"user","parts":[{"functionResponse":{"name":"time","response":{"h":12}}},\
            {"functionResponse":{"name":"orphan","response":{"error":"boom"}}}]}]
            """)
    }

    @Test func toolsSchemaSanitizedAndChoice() throws {
        var r = ChatRequest(model: "m", tools: [
            Tool(name: "f", description: "d", parameters: try JSON.parse("""
                {"$schema":"x","type":"object","additionalProperties":false,"properties":{
                  "a":{"type":["string","null"],"description":"A"},"b":{"type":"array","items":{"type":"object","properties":{}}}},
                 "required":["a"]}
                """)),
            Tool(name: "noargs"),
        ])
        r.toolChoice = .tool(name: "f")
        let body = GeminiCodec.encodeRequest(r)
        #expect(body["tools"]?.jsonString == """
            [{"functionDeclarations":[{"name":"f","description":"d","parameters":{"type":"object","properties":{\
            "a":{"type":"string","nullable":true,"description":"A"},"b":{"type":"array","items":{"type":"object"}}},\
            "required":["a"]}},{"name":"noargs"}]}]
            """)
        #expect(body["toolConfig"] == ["functionCallingConfig": ["mode": "ANY", "allowedFunctionNames": ["f"]]])
        r.toolChoice = ToolChoice.none
        #expect(GeminiCodec.encodeRequest(r)["toolConfig"] == ["functionCallingConfig": ["mode": "NONE"]])
        r.toolChoice = .required
        #expect(GeminiCodec.encodeRequest(r)["toolConfig"] == ["functionCallingConfig": ["mode": "ANY"]])
    }

    @Test func responseFormatAndReasoning() throws {
        var r = ChatRequest(model: "m")
        r.responseFormat = ["type": "json_schema", "json_schema": ["name": "n", "strict": true,
            "schema": ["type": "object", "properties": ["x": ["type": "integer"]], "additionalProperties": false]]]
        r.reasoning = Reasoning(effort: "low")
        var g = GeminiCodec.encodeRequest(r)["generationConfig"]
        #expect(g?["responseMimeType"] == "application/json")
        #expect(g?["responseSchema"] == ["type": "object", "properties": ["x": ["type": "integer"]]])
        #expect(g?["thinkingConfig"] == ["thinkingBudget": 1024, "includeThoughts": true])
        r.responseFormat = ["type": "json_object"]
        r.reasoning = Reasoning(budgetTokens: 0)  // thinking off: no thoughts to include
        g = GeminiCodec.encodeRequest(r)["generationConfig"]
        #expect(g?["responseSchema"] == nil)
        #expect(g?["thinkingConfig"] == ["thinkingBudget": 0])
    }

    @Test func geminiExtrasPassThroughOthersDoNot() throws {
        var r = ChatRequest(model: "m")
        r.extra = ["safetySettings": [["category": "c"]], "generationConfig": ["seed": 1], "tools": [["googleSearch": [:]]],
                   "frequency_penalty": 0.5]
        r.temperature = 1
        let body = GeminiCodec.encodeRequest(r)
        #expect(body["safetySettings"] == [["category": "c"]])
        #expect(body["generationConfig"] == ["seed": 1, "temperature": 1.0])
        #expect(body["tools"] == [["googleSearch": [:]]])
        #expect(body["frequency_penalty"] == nil)
    }

    @Test func roundTripThroughCanonical() throws {
        let wire = """
            {"contents":[{"role":"user","parts":[{"text":"q"}]},\
            {"role":"model","parts":[{"functionCall":{"name":"f","args":{"a":1}},"thoughtSignature":"S"}]},\
            {"role":"user","parts":[{"functionResponse":{"name":"f","response":{"content":"r"}}}]}],\
            "systemInstruction":{"parts":[{"text":"s"}]},\
            "tools":[{"functionDeclarations":[{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"integer"}}}}]}],\
            "toolConfig":{"functionCallingConfig":{"mode":"AUTO"}},\
            "generationConfig":{"seed":3,"maxOutputTokens":9}}
            """
        let back = GeminiCodec.encodeRequest(try GeminiCodec.decodeRequest(try JSON.parse(wire)))
        #expect(back.jsonString == wire)
    }
}

@Suite struct GeminiCallIDTests {
    @Test func resultWithBareIdFindsSignedCall() throws {
        let r = try GeminiCodec.decodeRequest(try JSON.parse("""
            {"contents":[{"role":"model","parts":[{"functionCall":{"id":"a1","name":"f","args":{}},"thoughtSignature":"S"}]},
              {"role":"user","parts":[{"functionResponse":{"id":"a1","name":"f","response":{"content":"ok"}}}]}]}
            """))
        #expect(r.messages[1].content == [.toolResult(toolUseId: "a1__ts__S", content: [.text("ok")], isError: false)])
    }

    @Test func splitAndEmbed() {
        #expect(GeminiToolCallID.split("call_0") == ("call_0", nil))
        #expect(GeminiToolCallID.split(GeminiToolCallID.embed("call_0", signature: "x__ts__y")) == ("call_0", "x__ts__y"))
        #expect(GeminiToolCallID.embed("id", signature: "") == "id")
    }
}
