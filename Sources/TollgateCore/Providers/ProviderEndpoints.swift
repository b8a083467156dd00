import NIOHTTP1
import TollgateProtocols

/// What a call asks the provider for; each provider kind maps it to a path.
public enum ProviderOperation: Sendable, Equatable {
    case chat(stream: Bool)
    case responses
    case embeddings
    case countTokens

    /// For messages: "embeddings", "token counting", …
    public var apiName: String {
        switch self {
        case .chat: return "chat"
        case .responses: return "responses"
        case .embeddings: return "embeddings"
        case .countTokens: return "token counting"
        }
    }
}

extension Provider {
    /// Whether the provider has an API for `op` at all (Anthropic has no embeddings). Asked
    /// before building a URL, so such a request is the client's 400, not a config problem.
    public func supports(_ op: ProviderOperation) -> Bool {
        switch (kind, op) {
        case (_, .chat): return true
        case (.anthropic, .countTokens): return true
        case (.anthropic, _): return false
        case (.ollama, .embeddings): return true
        case (.ollama, _): return false
        case (.gemini, .embeddings), (.vertex, .embeddings): return true
        case (.gemini, _), (.vertex, _): return false
        case (.openai, .countTokens), (.openAICompatible, .countTokens), (.azure, .countTokens): return false
        case (.openai, _), (.openAICompatible, _), (.azure, _): return true
        }
    }

    /// The URL of `op` for `model`, from `base` (the provider's endpoint, or a route's override
    /// given without a path). Nil when the provider lacks what the URL needs (Vertex without
    /// project, Azure without endpoint). A model that goes into the path goes as one escaped
    /// segment; one that cannot be a segment (`a/../b`) is the client's 400.
    public func url(_ op: ProviderOperation, model: String, base: UpstreamURL? = nil) throws(GatewayError) -> UpstreamURL? {
        switch kind {
        case .gemini, .vertex, .azure:
            guard let segment = UpstreamURL.pathSegment(deployments[model] ?? model) else {
                throw GatewayError.badRequest(
                    "model name '\(model)' cannot be used by provider '\(name)': it must be one URL path segment (no '/', not '.' or '..')",
                    param: "model")
            }
            return pathURL(op, segment: segment, base: base)
        default:
            return pathURL(op, segment: model, base: base)
        }
    }

    /// `segment` is escaped already where the kind puts the model in the path.
    private func pathURL(_ op: ProviderOperation, segment model: String, base: UpstreamURL?) -> UpstreamURL? {
        switch kind {
        case .openai, .openAICompatible:
            guard let b = base ?? endpoint else { return nil }
            switch op {
            case .chat: return b.appending("/chat/completions")
            case .responses: return b.appending("/responses")
            case .embeddings: return b.appending("/embeddings")
            case .countTokens: return nil
            }
        case .anthropic:
            guard let b = base ?? endpoint else { return nil }
            switch op {
            case .chat: return b.appending("/v1/messages")
            case .countTokens: return b.appending("/v1/messages/count_tokens")
            default: return nil
            }
        case .gemini:
            guard let b = base ?? endpoint else { return nil }
            return b.appending("/v1beta/models/\(model):\(Self.geminiAction(op))")
        case .vertex:
            guard let project, let region else { return nil }
            let host = region == "global" ? "aiplatform.googleapis.com" : "\(region)-aiplatform.googleapis.com"
            let b = base ?? endpoint ?? UpstreamURL(tls: true, host: host, port: 443, path: "")
            return b.appending("/v1/projects/\(project)/locations/\(region)/publishers/google/models/\(model):\(Self.geminiAction(op))")
        case .azure:
            guard let b = base ?? endpoint else { return nil }
            let deployment = model
            let version = apiVersion ?? "2024-10-21"
            switch op {
            case .chat: return b.appending("/openai/deployments/\(deployment)/chat/completions?api-version=\(version)")
            case .embeddings: return b.appending("/openai/deployments/\(deployment)/embeddings?api-version=\(version)")
            case .responses: return b.appending("/openai/responses?api-version=\(version)")
            case .countTokens: return nil
            }
        case .ollama:
            guard let b = base ?? endpoint else { return nil }
            switch op {
            case .chat: return b.appending("/api/chat")
            case .embeddings: return b.appending("/api/embed")
            default: return nil
            }
        }
    }

    private static func geminiAction(_ op: ProviderOperation) -> String {
        switch op {
        case .chat(stream: true): return "streamGenerateContent?alt=sse"
        case .embeddings: return "batchEmbedContents"
        case .countTokens: return "countTokens"
        default: return "generateContent"
        }
    }

    /// The fields that carry `key`, the way this provider's own SDK sends it.
    public func authHeaders(_ key: String?, into fields: inout [(String, String)]) {
        if kind == .anthropic { fields.append(("anthropic-version", "2023-06-01")) }
        guard let key, !key.isEmpty else { return }
        switch kind {
        case .openai, .openAICompatible, .vertex, .ollama: fields.append(("authorization", "Bearer " + key))
        case .anthropic: fields.append(("x-api-key", key))
        case .gemini: fields.append(("x-goog-api-key", key))
        case .azure: fields.append(("api-key", key))
        }
    }

    /// The protocol of `op` at this provider.
    public func wireProtocol(_ op: ProviderOperation) -> WireProtocol {
        switch op {
        case .responses where kind == .openai || kind == .azure: return .openAIResponses
        case .embeddings:
            // Embeddings speak the provider family's own format: OpenAI's, Gemini's, Ollama's.
            switch kind.chatProtocol {
            case .openAIChat: return .openAIEmbeddings
            default: return kind.chatProtocol
            }
        default: return kind.chatProtocol
        }
    }
}
