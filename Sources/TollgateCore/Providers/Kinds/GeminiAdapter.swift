import TollgateJSON
import TollgateProtocols

/// generativelanguage.googleapis.com: `models/{model}:{method}`, `x-goog-api-key`.
public struct GeminiAdapter: ProviderAdapter {
    public init() {}
    public var type: String { "gemini" }
    public var chatProtocol: WireProtocol { .gemini }
    public var modelInPath: Bool { true }
    public var keyHeader: String { "x-goog-api-key" }
    public var ownRequestHeaders: HeaderNameSet { Self.own }
    static let own = Self.ownHeaders(["x-goog-api-key"])

    public func supports(_ op: ProviderOperation) -> Bool { Self.supportsGemini(op) }

    public func url(_ op: ProviderOperation, model: String, base: UpstreamURL?, provider: Provider) -> UpstreamURL? {
        base?.appending("/v1beta/models/\(model):\(Self.method(op))")
    }

    public func modelListURL(base: UpstreamURL) -> UpstreamURL? { base.appending("/v1beta/models") }

    /// `models[].name`, without its `models/` prefix.
    public func modelIDs(in answer: JSON) -> [String] {
        answer["models"]?.array?.compactMap { m in
            m["name"]?.string.map { $0.hasPrefix("models/") ? String($0.dropFirst(7)) : $0 }
        } ?? []
    }

    public func authHeaders(_ key: String, into fields: inout [(String, String)]) {
        fields.append(("x-goog-api-key", key))
    }

    static func supportsGemini(_ op: ProviderOperation) -> Bool {
        switch op {
        case .chat, .embeddings, .embedOne, .countTokens: return true
        case .responses, .completions: return false
        }
    }

    /// The method after the model, shared with Vertex.
    static func method(_ op: ProviderOperation) -> String {
        switch op {
        case .chat(stream: true): return "streamGenerateContent?alt=sse"
        case .embeddings: return "batchEmbedContents"
        case .embedOne: return "embedContent"
        case .countTokens: return "countTokens"
        default: return "generateContent"
        }
    }
}
