import TollgateJSON
import TollgateProtocols

/// api.openai.com: chat, Responses (its own API) and embeddings under `/v1`, a bearer key.
public struct OpenAIAdapter: ProviderAdapter {
    public init() {}
    public var type: String { "openai" }
    public var chatProtocol: WireProtocol { .openAIChat }
    public var defaultPathPrefix: String { "/v1" }
    public var servesResponsesNatively: Bool { true }
    public var ownRequestHeaders: HeaderNameSet { Self.own }
    static let own = Self.ownHeaders(["authorization"])

    public func supports(_ op: ProviderOperation) -> Bool { op != .embedOne }

    public func url(_ op: ProviderOperation, model: String, base: UpstreamURL?, provider: Provider) -> UpstreamURL? {
        Self.openAIStyleURL(op, base: base)
    }

    public func modelListURL(base: UpstreamURL) -> UpstreamURL? { base.appending("/models") }

    public func authHeaders(_ key: String, into fields: inout [(String, String)]) {
        fields.append(("authorization", "Bearer " + key))
    }

    static func openAIStyleURL(_ op: ProviderOperation, base: UpstreamURL?) -> UpstreamURL? {
        guard let b = base else { return nil }
        switch op {
        case .chat: return b.appending("/chat/completions")
        case .responses: return b.appending("/responses")
        case .embeddings: return b.appending("/embeddings")
        case .completions: return b.appending("/completions")
        case .embedOne: return nil
        case .countTokens: return b.appending("/responses/input_tokens")
        }
    }
}

/// Any server that speaks OpenAI's API (vLLM, Groq, Mistral, …): it needs an endpoint, and its
/// Responses requests are translated to chat (few such servers have that API).
public struct OpenAICompatibleAdapter: ProviderAdapter {
    public init() {}
    public var type: String { "openai-compatible" }
    public var chatProtocol: WireProtocol { .openAIChat }
    public var defaultPathPrefix: String { "/v1" }
    public var needsEndpoint: Bool { true }
    public var ownRequestHeaders: HeaderNameSet { OpenAIAdapter.own }

    /// No token counting: that is OpenAI's Responses API, which few such servers have.
    public func supports(_ op: ProviderOperation) -> Bool { op != .countTokens && op != .embedOne }

    public func url(_ op: ProviderOperation, model: String, base: UpstreamURL?, provider: Provider) -> UpstreamURL? {
        OpenAIAdapter.openAIStyleURL(op, base: base)
    }

    public func modelListURL(base: UpstreamURL) -> UpstreamURL? { base.appending("/models") }

    public func authHeaders(_ key: String, into fields: inout [(String, String)]) {
        fields.append(("authorization", "Bearer " + key))
    }
}
