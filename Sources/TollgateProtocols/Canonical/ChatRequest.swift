import TollgateJSON

/// The one request model every wire protocol decodes into and encodes from. It follows
/// Anthropic's shape (system apart, tool results as parts of a user turn) because that is the
/// most expressive of the protocols: OpenAI's `tool` role and Gemini's `functionResponse` both
/// map onto it without loss.
public struct ChatRequest: Sendable, Equatable {
    /// The model as the provider should see it (prefix already stripped by routing).
    public var model: String
    /// System instructions, in order. OpenAI `system`/`developer` messages, Anthropic `system`,
    /// Gemini `systemInstruction`.
    public var system: [ContentPart]
    public var messages: [Message]
    public var maxTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    public var topK: Int?
    public var stop: [String]
    public var stream: Bool
    /// OpenAI `stream_options.include_usage`; other protocols always report usage in streams.
    public var includeUsageInStream: Bool
    /// OpenAI `user`, Anthropic `metadata.user_id`.
    public var user: String?
    public var tools: [Tool]
    public var toolChoice: ToolChoice?
    public var parallelToolCalls: Bool?
    public var reasoning: Reasoning?
    /// OpenAI `response_format` as received (`{"type":"json_schema",...}`), Gemini
    /// `responseMimeType`/`responseSchema` map onto it.
    public var responseFormat: JSON?
    /// Fields of the inbound protocol with no canonical meaning. Encoders for the same protocol
    /// family copy them through; others drop them (documented in docs/translation.md).
    public var extra: JSONObject

    public init(
        model: String, system: [ContentPart] = [], messages: [Message] = [], maxTokens: Int? = nil,
        temperature: Double? = nil, topP: Double? = nil, topK: Int? = nil, stop: [String] = [],
        stream: Bool = false, includeUsageInStream: Bool = false, user: String? = nil,
        tools: [Tool] = [], toolChoice: ToolChoice? = nil, parallelToolCalls: Bool? = nil,
        reasoning: Reasoning? = nil, responseFormat: JSON? = nil, extra: JSONObject = JSONObject()
    ) {
        self.model = model
        self.system = system
        self.messages = messages
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.stop = stop
        self.stream = stream
        self.includeUsageInStream = includeUsageInStream
        self.user = user
        self.tools = tools
        self.toolChoice = toolChoice
        self.parallelToolCalls = parallelToolCalls
        self.reasoning = reasoning
        self.responseFormat = responseFormat
        self.extra = extra
    }
}

public enum Role: String, Sendable, Equatable {
    case user
    case assistant
}

public struct Message: Sendable, Equatable {
    public var role: Role
    public var content: [ContentPart]
    public init(role: Role, content: [ContentPart]) {
        self.role = role
        self.content = content
    }
}

public enum ContentPart: Sendable, Equatable {
    case text(String)
    case image(ImageSource)
    /// A call the assistant made. `input` is the parsed arguments object; when a client sent
    /// arguments that are not valid JSON, `.string(raw)` keeps them verbatim.
    case toolUse(id: String, name: String, input: JSON)
    /// The result of a call, in a user turn. OpenAI's string content becomes one text part.
    case toolResult(toolUseId: String, content: [ContentPart], isError: Bool)
    /// Model reasoning. `signature` is Anthropic's opaque check value, needed to send the
    /// block back in a later turn.
    case thinking(text: String, signature: String?)
    case redactedThinking(data: String)
    /// A prompt-cache breakpoint on the part before it: Anthropic `cache_control` (with its
    /// `ttl`), which OpenAI-chat clients put on content parts as LiteLLM's do. Encoders whose
    /// provider has no such marker leave it out; so does every fallback to one.
    case cacheBreakpoint(JSON)
    /// A file sent inline (a PDF, plain text): OpenAI chat `file` parts, Responses `input_file`,
    /// Anthropic `document` blocks, Gemini `inlineData` of a non-image type. `data` is base64.
    case file(mediaType: String, data: String, filename: String?)
}

extension ContentPart {
    /// A file from a `data:<type>;base64,<data>` URL (how OpenAI's `file_data` carries it);
    /// nil for anything else (a file id, a remote URL: nothing another provider can fetch).
    public static func file(dataURL: String, filename: String?) -> ContentPart? {
        guard case .base64(let mediaType, let data) = ImageSource.fromURL(dataURL) else { return nil }
        return .file(mediaType: mediaType, data: data, filename: filename)
    }
}

public enum ImageSource: Sendable, Equatable {
    case base64(mediaType: String, data: String)
    case url(String)

    /// `data:image/png;base64,AAAA` → `.base64`, anything else → `.url`.
    public static func fromURL(_ url: String) -> ImageSource {
        if url.hasPrefix("data:"), let comma = url.firstIndex(of: ",") {
            let meta = url[url.index(url.startIndex, offsetBy: 5)..<comma]
            if meta.hasSuffix(";base64") {
                return .base64(mediaType: String(meta.dropLast(7)), data: String(url[url.index(after: comma)...]))
            }
        }
        return .url(url)
    }

    public var asURL: String {
        switch self {
        case .url(let u): return u
        case .base64(let m, let d): return "data:\(m);base64,\(d)"
        }
    }
}

public struct Tool: Sendable, Equatable {
    public var name: String
    public var description: String?
    /// JSON Schema of the arguments.
    public var parameters: JSON
    /// Anthropic `cache_control` on the tool (the tool list up to it is cached).
    public var cacheControl: JSON?
    /// A tool the provider runs itself (hosted web search) rather than a function of the
    /// client's; nil for functions.
    public var hosted: HostedTool?
    public init(
        name: String, description: String? = nil, parameters: JSON = ["type": "object", "properties": [:]], cacheControl: JSON? = nil,
        hosted: HostedTool? = nil
    ) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.cacheControl = cacheControl
        self.hosted = hosted
    }
}

/// Tools the providers run themselves that have an equivalent on another provider.
public enum HostedTool: String, Sendable, Equatable {
    /// Responses `web_search`, Anthropic `web_search_20250305`, Gemini `googleSearch`.
    case webSearch = "web_search"
}

public enum ToolChoice: Sendable, Equatable {
    case auto
    case none
    /// OpenAI `required`, Anthropic `any`, Gemini mode `ANY`.
    case required
    case tool(name: String)
}

public struct Reasoning: Sendable, Equatable {
    /// Anthropic `thinking.budget_tokens`, Gemini `thinkingConfig.thinkingBudget`.
    public var budgetTokens: Int?
    /// OpenAI `reasoning_effort` / Responses `reasoning.effort`: low, medium, high.
    public var effort: String?
    public init(budgetTokens: Int? = nil, effort: String? = nil) {
        self.budgetTokens = budgetTokens
        self.effort = effort
    }
}
