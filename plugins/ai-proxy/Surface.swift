import NIOHTTP1
import TollgateProtocols

/// The inbound API of a request: fixed per route with ai-proxy's `surface:`, or (without it)
/// read from the request's path, so one prefix route serves every path an SDK calls under its
/// base URL (spec section 5).
enum Surface: String, CaseIterable, Sendable {
    case openAIChat = "openai-chat"
    case openAIResponses = "openai-responses"
    case openAIResponsesInputTokens = "openai-responses-input-tokens"
    case openAIEmbeddings = "openai-embeddings"
    case openAICompletions = "openai-completions"
    case openAIModels = "openai-models"
    case azureChat = "azure-chat"
    case anthropicMessages = "anthropic-messages"
    case anthropicCountTokens = "anthropic-count-tokens"
    case anthropicModels = "anthropic-models"
    /// `models/{model}:generateContent` and `:streamGenerateContent`; as a route's `surface:`,
    /// every Gemini method (the method in the path picks the one below).
    case genai = "genai"
    case genaiCountTokens = "genai-count-tokens"
    /// `:embedContent` and `:batchEmbedContents`.
    case genaiEmbed = "genai-embed"
    case genaiModels = "genai-models"

    var wireProtocol: WireProtocol {
        switch self {
        case .openAIChat, .azureChat, .openAIModels, .openAICompletions: return .openAIChat
        case .openAIResponses, .openAIResponsesInputTokens: return .openAIResponses
        case .openAIEmbeddings: return .openAIEmbeddings
        case .anthropicMessages, .anthropicCountTokens, .anthropicModels: return .anthropicMessages
        case .genai, .genaiCountTokens, .genaiEmbed, .genaiModels: return .gemini
        }
    }

    /// The provider a model without a prefix goes to (spec section 4).
    var defaultProvider: String {
        switch wireProtocol {
        case .anthropicMessages: return "anthropic"
        case .gemini: return "gemini"
        default: return self == .azureChat ? "azure" : "openai"
        }
    }

    var isModelList: Bool { self == .openAIModels || self == .anthropicModels || self == .genaiModels }
    var isTokenCount: Bool { self == .anthropicCountTokens || self == .openAIResponsesInputTokens || self == .genaiCountTokens }

    /// The surface of one request: the route's, with a Gemini path's method picking among the
    /// Gemini operations; or, for a route without `surface:`, the one its path names. Nil: no
    /// surface serves this path (a 404 in the path's API family's shape). Compares bytes of the
    /// path already split off the URI: no allocation.
    static func of(path: Substring, method: HTTPMethod, fixed: Surface?) -> Surface? {
        if let fixed {
            guard fixed == .genai else { return fixed }
            return GenAIPath.method(path).flatMap(genai(method:))
        }
        let get = method == .GET || method == .HEAD
        if get {
            guard path.bytesHaveSuffix("/models") else { return nil }
            if path.bytesHavePrefix("/anthropic") { return .anthropicModels }
            if path.bytesHavePrefix("/genai") { return .genaiModels }
            return .openAIModels
        }
        guard method == .POST else { return nil }
        // The common endings first; the Gemini form (a scan for its colon) last.
        if path.bytesHaveSuffix("/chat/completions") {
            let azure = path.bytesHavePrefix("/openai/") && path.bytesRange(of: "/deployments/") != nil
            return azure ? .azureChat : .openAIChat
        }
        if path.bytesHaveSuffix("/messages") { return .anthropicMessages }
        if path.bytesHaveSuffix("/responses") { return .openAIResponses }
        if path.bytesHaveSuffix("/embeddings") { return .openAIEmbeddings }
        if path.bytesHaveSuffix("/completions") { return .openAICompletions }
        if path.bytesHaveSuffix("/messages/count_tokens") { return .anthropicCountTokens }
        if path.bytesHaveSuffix("/responses/input_tokens") { return .openAIResponsesInputTokens }
        if let m = GenAIPath.method(path) { return genai(method: m) }
        return nil
    }

    /// A Gemini method the gateway serves; any other is a 404, never sent as another method.
    private static func genai(method: Substring) -> Surface? {
        switch method {
        case "generateContent", "streamGenerateContent": return .genai
        case "countTokens": return .genaiCountTokens
        case "embedContent", "batchEmbedContents": return .genaiEmbed
        default: return nil
        }
    }
}
