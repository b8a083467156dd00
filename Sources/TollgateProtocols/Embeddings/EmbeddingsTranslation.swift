import TollgateJSON

/// The switch from `WireProtocol` to its embeddings codec. Every OpenAI-family protocol means
/// OpenAI's `/v1/embeddings`; Anthropic has no embeddings API. Errors use the chat codecs
/// (`Translation.codec(p).encodeError`), whose shapes are the same.
public enum EmbeddingsTranslation {
    public static func decodeRequest(_ body: JSON, from p: WireProtocol) throws(GatewayError) -> EmbeddingRequest {
        switch p {
        case .openAIEmbeddings, .openAIChat, .openAIResponses: return try OpenAIEmbeddings.decodeRequest(body)
        case .gemini: return try GeminiEmbeddings.decodeRequest(body)
        case .ollama: return try OllamaEmbeddings.decodeRequest(body)
        case .anthropicMessages: throw unsupported
        }
    }

    public static func encodeRequest(_ r: EmbeddingRequest, for p: WireProtocol) throws(GatewayError) -> JSON {
        switch p {
        case .openAIEmbeddings, .openAIChat, .openAIResponses: return OpenAIEmbeddings.encodeRequest(r)
        case .gemini: return GeminiEmbeddings.encodeRequest(r)
        case .ollama: return OllamaEmbeddings.encodeRequest(r)
        case .anthropicMessages: throw unsupported
        }
    }

    /// `model` names the answer when the provider's body does not (Gemini never does).
    public static func decodeResponse(_ body: JSON, from p: WireProtocol, model: String) throws(GatewayError) -> EmbeddingResponse {
        switch p {
        case .openAIEmbeddings, .openAIChat, .openAIResponses: return try OpenAIEmbeddings.decodeResponse(body, model: model)
        case .gemini: return try GeminiEmbeddings.decodeResponse(body, model: model)
        case .ollama: return try OllamaEmbeddings.decodeResponse(body, model: model)
        case .anthropicMessages: throw unsupported
        }
    }

    /// `format` is the inbound request's `encodingFormat`; only OpenAI clients can ask for base64.
    /// `single`: the request was Gemini's `embedContent` (one `embedding` in the answer).
    public static func encodeResponse(_ r: EmbeddingResponse, for p: WireProtocol, format: EmbeddingEncodingFormat = .float, single: Bool = false) -> JSON {
        switch p {
        case .gemini: return GeminiEmbeddings.encodeResponse(r, single: single)
        case .ollama: return OllamaEmbeddings.encodeResponse(r)
        case .openAIEmbeddings, .openAIChat, .openAIResponses, .anthropicMessages: return OpenAIEmbeddings.encodeResponse(r, format: format)
        }
    }

    static let unsupported = GatewayError.badRequest("Anthropic has no embeddings API; route embeddings to another provider", param: "model")
}
