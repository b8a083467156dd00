import TollgateJSON

/// The single switch from `WireProtocol` to its codec.
public enum Translation {
    public static func codec(_ p: WireProtocol) -> any ProtocolCodec.Type {
        switch p {
        case .openAIChat: return OpenAIChatCodec.self
        case .anthropicMessages: return AnthropicCodec.self
        case .gemini: return GeminiCodec.self
        case .ollama: return OllamaCodec.self
        case .openAIResponses: return ResponsesCodec.self
        case .openAIEmbeddings: return OpenAIChatCodec.self  // errors and usage share OpenAI's shapes
        }
    }

    /// Whether a response of this protocol is a stream of events (by the request that asked).
    public static func contentType(forStream p: WireProtocol) -> String {
        p == .ollama ? "application/x-ndjson" : "text/event-stream"
    }
}
