import TollgateProtocols

/// The kinds of provider the gateway can call; each fixes a protocol, a default endpoint, and
/// how the key is sent.
public enum ProviderKind: String, Sendable, CaseIterable {
    case openai
    case anthropic
    case gemini
    case vertex
    case azure
    case ollama
    case openAICompatible = "openai-compatible"

    /// The protocol its chat endpoint speaks.
    public var chatProtocol: WireProtocol {
        switch self {
        case .openai, .azure, .openAICompatible: return .openAIChat
        case .anthropic: return .anthropicMessages
        case .gemini, .vertex: return .gemini
        case .ollama: return .ollama
        }
    }

    /// Headers the gateway sets on every request to this kind (framing, content negotiation,
    /// credentials): a forwarded client header with one of these names gives way to ours.
    public var ownRequestHeaders: HeaderNameSet {
        switch self {
        case .openai, .openAICompatible, .vertex, .ollama: return Self.ownWithBearer
        case .anthropic: return Self.ownAnthropic
        case .gemini: return Self.ownGemini
        case .azure: return Self.ownAzure
        }
    }

    private static let framing = ["host", "content-length", "content-type", "accept"]
    private static let ownWithBearer = HeaderNameSet(framing + ["authorization"])
    private static let ownAnthropic = HeaderNameSet(framing + ["x-api-key", "anthropic-version"])
    private static let ownGemini = HeaderNameSet(framing + ["x-goog-api-key"])
    private static let ownAzure = HeaderNameSet(framing + ["api-key"])

    /// Path the provider's SDKs put after the host when the endpoint names none
    /// (`http://127.0.0.1:9000` means `http://127.0.0.1:9000/v1` for OpenAI-style providers).
    var defaultPathPrefix: String {
        switch self {
        case .openai, .openAICompatible: return "/v1"
        default: return ""
        }
    }
}

/// A built-in provider: its name is also its type's name or an OpenAI-compatible service.
public struct BuiltinProvider: Sendable {
    public var name: String
    public var kind: ProviderKind
    public var endpoint: String
    /// Environment variable read for the key when the config gives none.
    public var keyVariable: String?

    public static let all: [BuiltinProvider] = [
        .init(name: "openai", kind: .openai, endpoint: "https://api.openai.com/v1", keyVariable: "OPENAI_API_KEY"),
        .init(name: "anthropic", kind: .anthropic, endpoint: "https://api.anthropic.com", keyVariable: "ANTHROPIC_API_KEY"),
        .init(name: "gemini", kind: .gemini, endpoint: "https://generativelanguage.googleapis.com", keyVariable: "GEMINI_API_KEY"),
        .init(name: "vertex", kind: .vertex, endpoint: "", keyVariable: "VERTEX_ACCESS_TOKEN"),
        .init(name: "azure", kind: .azure, endpoint: "", keyVariable: "AZURE_API_KEY"),
        .init(name: "ollama", kind: .ollama, endpoint: "http://localhost:11434", keyVariable: nil),
        .init(name: "mistral", kind: .openAICompatible, endpoint: "https://api.mistral.ai/v1", keyVariable: "MISTRAL_API_KEY"),
        .init(name: "groq", kind: .openAICompatible, endpoint: "https://api.groq.com/openai/v1", keyVariable: "GROQ_API_KEY"),
        .init(name: "deepseek", kind: .openAICompatible, endpoint: "https://api.deepseek.com/v1", keyVariable: "DEEPSEEK_API_KEY"),
        .init(name: "openrouter", kind: .openAICompatible, endpoint: "https://openrouter.ai/api/v1", keyVariable: "OPENROUTER_API_KEY"),
        .init(name: "xai", kind: .openAICompatible, endpoint: "https://api.x.ai/v1", keyVariable: "XAI_API_KEY"),
        .init(name: "together", kind: .openAICompatible, endpoint: "https://api.together.xyz/v1", keyVariable: "TOGETHER_API_KEY"),
        .init(name: "fireworks", kind: .openAICompatible, endpoint: "https://api.fireworks.ai/inference/v1", keyVariable: "FIREWORKS_API_KEY"),
        .init(name: "cerebras", kind: .openAICompatible, endpoint: "https://api.cerebras.ai/v1", keyVariable: "CEREBRAS_API_KEY"),
        .init(name: "perplexity", kind: .openAICompatible, endpoint: "https://api.perplexity.ai", keyVariable: "PERPLEXITY_API_KEY"),
    ]

    public static func named(_ name: String) -> BuiltinProvider? { all.first { $0.name == name } }
}
