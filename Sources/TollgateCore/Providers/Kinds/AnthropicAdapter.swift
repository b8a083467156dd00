import TollgateJSON
import TollgateProtocols

/// api.anthropic.com: Messages and token counting; `x-api-key` and a fixed API version.
public struct AnthropicAdapter: ProviderAdapter {
    public init() {}
    public var type: String { "anthropic" }
    public var chatProtocol: WireProtocol { .anthropicMessages }
    public var fixedHeaders: [(String, String)] { [("anthropic-version", "2023-06-01")] }
    public var keyHeader: String { "x-api-key" }
    public var ownRequestHeaders: HeaderNameSet { Self.own }
    static let own = Self.ownHeaders(["x-api-key", "anthropic-version"])

    /// No embeddings API, and no Responses API.
    public func supports(_ op: ProviderOperation) -> Bool {
        switch op {
        case .chat, .countTokens: return true
        case .responses, .embeddings, .completions, .embedOne: return false
        }
    }

    public func url(_ op: ProviderOperation, model: String, base: UpstreamURL?, provider: Provider) -> UpstreamURL? {
        guard let b = base else { return nil }
        switch op {
        case .chat: return b.appending("/v1/messages")
        case .countTokens: return b.appending("/v1/messages/count_tokens")
        default: return nil
        }
    }

    public func modelListURL(base: UpstreamURL) -> UpstreamURL? { base.appending("/v1/models") }

    public func authHeaders(_ key: String, into fields: inout [(String, String)]) {
        fields.append(("x-api-key", key))
    }
}
