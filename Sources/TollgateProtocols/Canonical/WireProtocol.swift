/// The protocols spoken on either side of the gateway. An inbound surface speaks one; a
/// provider speaks one; when they are equal the body passes through.
public enum WireProtocol: String, Sendable, Equatable, CaseIterable {
    case openAIChat = "openai-chat"
    case openAIResponses = "openai-responses"
    case openAIEmbeddings = "openai-embeddings"
    case anthropicMessages = "anthropic-messages"
    case gemini = "gemini"
    case ollama = "ollama"
}
