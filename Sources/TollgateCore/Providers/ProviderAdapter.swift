import TollgateJSON
import TollgateProtocols

/// What one kind of provider is: the URL of each operation it has, how its key is sent, its
/// own headers, and the wire protocol each operation speaks. One file per kind in `Kinds/`;
/// `ProviderKinds.builtin` lists them. Nothing outside that folder asks which kind a provider
/// is: it asks the adapter.
public protocol ProviderAdapter: Sendable {
    /// The `type:` of a provider entry in routes.yaml.
    var type: String { get }
    /// The protocol of its chat operation.
    var chatProtocol: WireProtocol { get }
    func supports(_ op: ProviderOperation) -> Bool
    /// The URL of `op` from `base` (the provider's endpoint, or a route's base override).
    /// `model` is already one escaped path segment when `modelInPath` (see `Provider.url`).
    func url(_ op: ProviderOperation, model: String, base: UpstreamURL?, provider: Provider) -> UpstreamURL?
    /// The fields that carry a (non-empty) key, the way the provider's own SDK sends it.
    func authHeaders(_ key: String, into fields: inout [(String, String)])
    /// The header the provider's own SDK puts its key in (one of
    /// `PresentedCredentials.credentialHeaders`): a client's direct key there wins over others.
    var keyHeader: String { get }
    /// Headers the gateway sets on every request to this kind (framing, content negotiation,
    /// credentials, version): a forwarded client header with one of these names gives way.
    var ownRequestHeaders: HeaderNameSet { get }

    /// Headers sent on every call, key or not (Anthropic's version).
    var fixedHeaders: [(String, String)] { get }
    /// Path the provider's SDKs put after the host when an endpoint names none.
    var defaultPathPrefix: String { get }
    var defaultAPIVersion: String? { get }
    /// A provider of this kind is unusable without an `endpoint` (no default one exists).
    var needsEndpoint: Bool { get }
    /// The model is part of the URL path: it must be one segment, escaped.
    var modelInPath: Bool { get }
    /// A client header that names the endpoint per request (Azure: Bifrost's `x-bf-azure-endpoint`).
    var endpointHeader: String? { get }
    /// OpenAI Responses requests go to its own Responses API rather than to chat.
    var servesResponsesNatively: Bool { get }
    func wireProtocol(_ op: ProviderOperation) -> WireProtocol
    /// The provider's own model list (`GET`), from its endpoint; nil when it has none the
    /// gateway can read with a key (Azure lists deployments, Vertex needs OAuth).
    func modelListURL(base: UpstreamURL) -> UpstreamURL?
    /// The model ids in that list's answer.
    func modelIDs(in answer: JSON) -> [String]
}

extension ProviderAdapter {
    public var fixedHeaders: [(String, String)] { [] }
    public var keyHeader: String { "authorization" }
    public var defaultPathPrefix: String { "" }
    public var defaultAPIVersion: String? { nil }
    public var needsEndpoint: Bool { false }
    public var modelInPath: Bool { false }
    public var endpointHeader: String? { nil }
    public var servesResponsesNatively: Bool { false }
    public func modelListURL(base: UpstreamURL) -> UpstreamURL? { nil }
    /// OpenAI's shape (`data[].id`), which Anthropic's list shares.
    public func modelIDs(in answer: JSON) -> [String] { answer["data"]?.array?.compactMap { $0["id"]?.string } ?? [] }

    public func wireProtocol(_ op: ProviderOperation) -> WireProtocol {
        switch op {
        case .responses: return .openAIResponses
        // Embeddings speak the provider family's own format: OpenAI's, Gemini's, Ollama's.
        case .embeddings, .embedOne: return chatProtocol == .openAIChat ? .openAIEmbeddings : chatProtocol
        // OpenAI counts input tokens in its Responses API (`responses/input_tokens`).
        case .countTokens: return servesResponsesNatively ? .openAIResponses : chatProtocol
        default: return chatProtocol
        }
    }

    /// The framing and negotiation headers every kind sets, plus `names`.
    public static func ownHeaders(_ names: [String]) -> HeaderNameSet {
        HeaderNameSet(["host", "content-length", "content-type", "accept"] + names)
    }
}

/// Every provider kind a config may name, by `type`.
public enum ProviderKinds {
    public static let builtin: [any ProviderAdapter] = [
        OpenAIAdapter(), OpenAICompatibleAdapter(), AnthropicAdapter(), GeminiAdapter(), VertexAdapter(),
        AzureAdapter(), OllamaAdapter(),
    ]
}

/// A provider's kind: its adapter, compared by `type`.
public struct ProviderKind: Sendable, Equatable, CustomStringConvertible {
    public let adapter: any ProviderAdapter

    public init(_ adapter: any ProviderAdapter) { self.adapter = adapter }

    public var name: String { adapter.type }
    public var description: String { adapter.type }
    public var chatProtocol: WireProtocol { adapter.chatProtocol }
    public var ownRequestHeaders: HeaderNameSet { adapter.ownRequestHeaders }

    public static func == (a: ProviderKind, b: ProviderKind) -> Bool { a.adapter.type == b.adapter.type }
}
