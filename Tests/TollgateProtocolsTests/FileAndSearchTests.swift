import Testing
import TollgateJSON

@testable import TollgateProtocols

/// #16: files (PDF) and hosted web search between the protocols.
@Suite struct FileAndSearchTests {
    static let pdf = "JVBERi0xLjQK"

    @Test func anOpenAIFilePartIsADocumentAndInlineData() throws {
        let r = try OpenAIChatCodec.decodeRequest(StreamHarness.json(#"""
            {"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"sum up"},
              {"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0xLjQK"}}]}]}
            """#))
        #expect(r.messages[0].content[1] == .file(mediaType: "application/pdf", data: Self.pdf, filename: "a.pdf"))
        let anthropic = AnthropicCodec.encodeRequest(r)
        #expect(anthropic["messages"]?[0]?["content"]?[1] == [
            "type": "document", "source": ["type": "base64", "media_type": "application/pdf", "data": .string(Self.pdf)], "title": "a.pdf",
        ])
        let gemini = GeminiCodec.encodeRequest(r)
        #expect(gemini["contents"]?[0]?["parts"]?[1] == ["inlineData": ["mimeType": "application/pdf", "data": .string(Self.pdf)]])
        let responses = ResponsesCodec.encodeRequest(r)
        #expect(responses.jsonString.contains(#""type":"input_file""#))
    }

    @Test func aFileByIdIsRefusedNamingThePart() {
        #expect(throws: GatewayError.self) {
            _ = try OpenAIChatCodec.decodeRequest(StreamHarness.json(#"""
                {"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-1"}}]}]}
                """#))
        }
    }

    @Test func anAnthropicDocumentIsAnOpenAIFilePart() throws {
        let r = try AnthropicCodec.decodeRequest(StreamHarness.json(#"""
            {"model":"m","max_tokens":10,"messages":[{"role":"user","content":[
              {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0xLjQK"}},{"type":"text","text":"q"}]}]}
            """#))
        let openAI = OpenAIChatCodec.encodeRequest(r)
        #expect(openAI["messages"]?[0]?["content"]?[0] == [
            "type": "file", "file": ["filename": "document", "file_data": "data:application/pdf;base64,JVBERi0xLjQK"],
        ])
    }

    @Test func webSearchMapsBetweenTheThreeProviders() throws {
        let fromResponses = try ResponsesCodec.decodeRequest(StreamHarness.json(#"{"model":"m","input":"news?","tools":[{"type":"web_search"}]}"#))
        #expect(fromResponses.tools == [Tool(name: "web_search", hosted: .webSearch)])
        #expect(AnthropicCodec.encodeRequest(fromResponses)["tools"] == [["type": "web_search_20250305", "name": "web_search"]])
        #expect(GeminiCodec.encodeRequest(fromResponses)["tools"] == [["googleSearch": [:]]])
        let fromAnthropic = try AnthropicCodec.decodeRequest(StreamHarness.json(#"""
            {"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":[{"type":"web_search_20250305","name":"web_search","max_uses":3}]}
            """#))
        #expect(fromAnthropic.tools.first?.hosted == .webSearch)
        #expect(ResponsesCodec.encodeRequest(fromAnthropic)["tools"] == [["type": "web_search"]])
    }
}
