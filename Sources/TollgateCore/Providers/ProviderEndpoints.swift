import NIOHTTP1
import TollgateProtocols

/// What a call asks the provider for; each provider kind maps it to a path.
public enum ProviderOperation: Sendable, Equatable {
    case chat(stream: Bool)
    case responses
    case embeddings
    /// Anthropic `count_tokens`, Gemini `countTokens`, OpenAI `responses/input_tokens`.
    case countTokens
    /// OpenAI's legacy text completions.
    case completions
    /// Gemini `embedContent`: one text (`embeddings` is its `batchEmbedContents`).
    case embedOne

    /// For messages: "embeddings", "token counting", …
    public var apiName: String {
        switch self {
        case .chat: return "chat"
        case .responses: return "responses"
        case .embeddings: return "embeddings"
        case .countTokens: return "token counting"
        case .completions: return "legacy completions"
        case .embedOne: return "single embedding"
        }
    }
}

extension Provider {
    /// Whether the provider has an API for `op` at all (Anthropic has no embeddings). Asked
    /// before building a URL, so such a request is the client's 400, not a config problem.
    public func supports(_ op: ProviderOperation) -> Bool { kind.adapter.supports(op) }

    /// The URL of `op` for `model`, from `base` (the provider's endpoint, or a route's override
    /// given without a path). Nil when the provider lacks what the URL needs (Vertex without
    /// project, Azure without endpoint). A model that goes into the path goes as one escaped
    /// segment; one that cannot be a segment (`a/../b`) is the client's 400.
    public func url(_ op: ProviderOperation, model: String, base: UpstreamURL? = nil) throws(GatewayError) -> UpstreamURL? {
        let adapter = kind.adapter
        guard adapter.modelInPath else { return adapter.url(op, model: model, base: base ?? endpoint, provider: self) }
        guard let segment = UpstreamURL.pathSegment(deployments[model] ?? model) else {
            throw GatewayError.badRequest(
                "model name '\(model)' cannot be used by provider '\(name)': it must be one URL path segment (no '/', not '.' or '..')",
                param: "model")
        }
        return adapter.url(op, model: segment, base: base ?? endpoint, provider: self)
    }

    /// The fields that carry `key`, the way this provider's own SDK sends it.
    public func authHeaders(_ key: String?, into fields: inout [(String, String)]) {
        let adapter = kind.adapter
        fields.append(contentsOf: adapter.fixedHeaders)
        guard let key, !key.isEmpty else { return }
        adapter.authHeaders(key, into: &fields)
    }

    /// The protocol of `op` at this provider.
    public func wireProtocol(_ op: ProviderOperation) -> WireProtocol { kind.adapter.wireProtocol(op) }

    /// Which operation a request of the OpenAI Responses surface becomes here: Responses where
    /// the provider has that API of its own, else chat (translated).
    public func responsesOperation(stream: Bool) -> ProviderOperation {
        kind.adapter.servesResponsesNatively ? .responses : .chat(stream: stream)
    }
}
