import TollgateJSON
import TollgateProtocols

/// A local Ollama: `/api/chat` (NDJSON streams) and `/api/embed`; a key only behind a proxy.
public struct OllamaAdapter: ProviderAdapter {
    public init() {}
    public var type: String { "ollama" }
    public var chatProtocol: WireProtocol { .ollama }
    public var ownRequestHeaders: HeaderNameSet { OpenAIAdapter.own }

    public func supports(_ op: ProviderOperation) -> Bool {
        switch op {
        case .chat, .embeddings: return true
        case .responses, .countTokens, .completions, .embedOne: return false
        }
    }

    public func url(_ op: ProviderOperation, model: String, base: UpstreamURL?, provider: Provider) -> UpstreamURL? {
        guard let b = base else { return nil }
        switch op {
        case .chat: return b.appending("/api/chat")
        case .embeddings: return b.appending("/api/embed")
        default: return nil
        }
    }

    public func modelListURL(base: UpstreamURL) -> UpstreamURL? { base.appending("/api/tags") }

    /// `models[].name` (`llama3:8b`).
    public func modelIDs(in answer: JSON) -> [String] { answer["models"]?.array?.compactMap { $0["name"]?.string } ?? [] }

    public func authHeaders(_ key: String, into fields: inout [(String, String)]) {
        fields.append(("authorization", "Bearer " + key))
    }
}
