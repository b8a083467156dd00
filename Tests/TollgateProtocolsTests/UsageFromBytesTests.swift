import Testing
import TollgateJSON

@testable import TollgateProtocols

/// Passthrough accounting reads usage by skimming the answer and parsing only the usage keys.
@Suite struct UsageFromBytesTests {
    func usage(_ p: WireProtocol, _ body: String) -> Usage? {
        Array(body.utf8).withUnsafeBytes { Translation.codec(p).usage(inBytes: $0) }
    }

    @Test func eachProtocolsUsageIsFound() {
        let openai = #"{"id":"x","choices":[{"message":{"content":"\"usage\": {\"prompt_tokens\": 99}"}}],"usage":{"prompt_tokens":24,"completion_tokens":7,"total_tokens":31}}"#
        #expect(usage(.openAIChat, openai)?.inputTokens == 24)
        #expect(usage(.openAIChat, openai)?.outputTokens == 7)
        let anthropic = #"{"type":"message","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":5,"output_tokens":2}}"#
        #expect(usage(.anthropicMessages, anthropic)?.outputTokens == 2)
        let gemini = #"{"candidates":[],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":4}}"#
        #expect(usage(.gemini, gemini)?.inputTokens == 3)
        let ollama = #"{"message":{"content":"x"},"prompt_eval_count":8,"eval_count":9}"#
        #expect(usage(.ollama, ollama)?.outputTokens == 9)
        let responses = #"{"output":[],"usage":{"input_tokens":1,"output_tokens":2,"total_tokens":3}}"#
        #expect(usage(.openAIResponses, responses)?.inputTokens == 1)
    }

    @Test func noUsageOrNotJSONIsNil() {
        #expect(usage(.openAIChat, #"{"choices":[]}"#) == nil)
        #expect(usage(.openAIChat, "not json") == nil)
        #expect(usage(.openAIChat, #"[{"usage":{"prompt_tokens":1}}]"#) == nil)
    }
}
