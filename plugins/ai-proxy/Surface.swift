import TollgateProtocols

/// The inbound API a route serves; set per route with ai-proxy's `surface:`.
enum Surface: String, CaseIterable, Sendable {
    case openAIChat = "openai-chat"
    case openAIResponses = "openai-responses"
    case openAIEmbeddings = "openai-embeddings"
    case openAIModels = "openai-models"
    case azureChat = "azure-chat"
    case anthropicMessages = "anthropic-messages"
    case anthropicCountTokens = "anthropic-count-tokens"
    case genai = "genai"

    var wireProtocol: WireProtocol {
        switch self {
        case .openAIChat, .azureChat, .openAIModels: return .openAIChat
        case .openAIResponses: return .openAIResponses
        case .openAIEmbeddings: return .openAIEmbeddings
        case .anthropicMessages, .anthropicCountTokens: return .anthropicMessages
        case .genai: return .gemini
        }
    }

    /// The provider a model without a prefix goes to (spec section 4).
    var defaultProvider: String {
        switch self {
        case .anthropicMessages, .anthropicCountTokens: return "anthropic"
        case .genai: return "gemini"
        case .azureChat: return "azure"
        default: return "openai"
        }
    }
}
