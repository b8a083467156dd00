import TollgateProtocols

/// A built-in provider: its name is also its type's name or an OpenAI-compatible service.
public struct BuiltinProvider: Sendable {
    public var name: String
    public var kind: ProviderKind
    public var endpoint: String
    /// Environment variable read for the key when the config gives none.
    public var keyVariable: String?

    init(name: String, kind: any ProviderAdapter, endpoint: String, keyVariable: String?) {
        self.name = name
        self.kind = ProviderKind(kind)
        self.endpoint = endpoint
        self.keyVariable = keyVariable
    }

    public static let all: [BuiltinProvider] = [
        .init(name: "openai", kind: OpenAIAdapter(), endpoint: "https://api.openai.com/v1", keyVariable: "OPENAI_API_KEY"),
        .init(name: "anthropic", kind: AnthropicAdapter(), endpoint: "https://api.anthropic.com", keyVariable: "ANTHROPIC_API_KEY"),
        .init(name: "gemini", kind: GeminiAdapter(), endpoint: "https://generativelanguage.googleapis.com", keyVariable: "GEMINI_API_KEY"),
        .init(name: "vertex", kind: VertexAdapter(), endpoint: "", keyVariable: "VERTEX_ACCESS_TOKEN"),
        .init(name: "azure", kind: AzureAdapter(), endpoint: "", keyVariable: "AZURE_API_KEY"),
        .init(name: "ollama", kind: OllamaAdapter(), endpoint: "http://localhost:11434", keyVariable: nil),
        .init(name: "mistral", kind: OpenAICompatibleAdapter(), endpoint: "https://api.mistral.ai/v1", keyVariable: "MISTRAL_API_KEY"),
        .init(name: "groq", kind: OpenAICompatibleAdapter(), endpoint: "https://api.groq.com/openai/v1", keyVariable: "GROQ_API_KEY"),
        .init(name: "deepseek", kind: OpenAICompatibleAdapter(), endpoint: "https://api.deepseek.com/v1", keyVariable: "DEEPSEEK_API_KEY"),
        .init(name: "openrouter", kind: OpenAICompatibleAdapter(), endpoint: "https://openrouter.ai/api/v1", keyVariable: "OPENROUTER_API_KEY"),
        .init(name: "xai", kind: OpenAICompatibleAdapter(), endpoint: "https://api.x.ai/v1", keyVariable: "XAI_API_KEY"),
        .init(name: "together", kind: OpenAICompatibleAdapter(), endpoint: "https://api.together.xyz/v1", keyVariable: "TOGETHER_API_KEY"),
        .init(name: "fireworks", kind: OpenAICompatibleAdapter(), endpoint: "https://api.fireworks.ai/inference/v1", keyVariable: "FIREWORKS_API_KEY"),
        .init(name: "cerebras", kind: OpenAICompatibleAdapter(), endpoint: "https://api.cerebras.ai/v1", keyVariable: "CEREBRAS_API_KEY"),
        .init(name: "perplexity", kind: OpenAICompatibleAdapter(), endpoint: "https://api.perplexity.ai", keyVariable: "PERPLEXITY_API_KEY"),
    ]

    public static func named(_ name: String) -> BuiltinProvider? { all.first { $0.name == name } }
}
