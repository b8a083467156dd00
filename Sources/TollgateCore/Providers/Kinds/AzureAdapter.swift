import TollgateProtocols

/// Azure OpenAI: a deployment per model in the path, `api-version` in the query, `api-key`.
public struct AzureAdapter: ProviderAdapter {
    public init() {}
    public var type: String { "azure" }
    public var chatProtocol: WireProtocol { .openAIChat }
    public var defaultAPIVersion: String? { "2024-10-21" }
    /// The deployment (the model, or `deployments[model]`) is a path segment.
    public var modelInPath: Bool { true }
    public var endpointHeader: String? { "x-bf-azure-endpoint" }
    public var keyHeader: String { "api-key" }
    public var ownRequestHeaders: HeaderNameSet { Self.own }
    static let own = Self.ownHeaders(["api-key"])

    public func supports(_ op: ProviderOperation) -> Bool { op != .countTokens && op != .embedOne }

    public func url(_ op: ProviderOperation, model deployment: String, base: UpstreamURL?, provider: Provider) -> UpstreamURL? {
        guard let b = base else { return nil }
        let version = provider.apiVersion ?? defaultAPIVersion ?? ""
        switch op {
        case .chat: return b.appending("/openai/deployments/\(deployment)/chat/completions?api-version=\(version)")
        case .embeddings: return b.appending("/openai/deployments/\(deployment)/embeddings?api-version=\(version)")
        case .responses: return b.appending("/openai/responses?api-version=\(version)")
        case .completions: return b.appending("/openai/deployments/\(deployment)/completions?api-version=\(version)")
        case .countTokens, .embedOne: return nil
        }
    }

    public func authHeaders(_ key: String, into fields: inout [(String, String)]) {
        fields.append(("api-key", key))
    }
}
