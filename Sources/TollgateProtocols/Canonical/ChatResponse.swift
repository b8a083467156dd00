import TollgateJSON

public struct ChatResponse: Sendable, Equatable {
    public var id: String
    public var model: String
    /// Unix seconds; encoders use it where their protocol has a creation time.
    public var created: Int
    /// The assistant's turn: text, thinking and tool-use parts, in order.
    public var content: [ContentPart]
    public var stopReason: StopReason?
    public var usage: Usage

    public init(
        id: String, model: String, created: Int = 0, content: [ContentPart] = [],
        stopReason: StopReason? = nil, usage: Usage = Usage()
    ) {
        self.id = id
        self.model = model
        self.created = created
        self.content = content
        self.stopReason = stopReason
        self.usage = usage
    }
}

public enum StopReason: Sendable, Equatable {
    /// OpenAI `stop`, Anthropic `end_turn`, Gemini `STOP`.
    case endTurn
    /// OpenAI `length`, Anthropic `max_tokens`, Gemini `MAX_TOKENS`.
    case maxTokens
    /// OpenAI `tool_calls`, Anthropic `tool_use`.
    case toolUse
    /// Anthropic `stop_sequence` (with the sequence when known); OpenAI reports `stop`.
    case stopSequence(String?)
    /// OpenAI `content_filter`, Anthropic `refusal`, Gemini `SAFETY`/`RECITATION`/….
    case contentFilter
    /// Anthropic `pause_turn` and any value we do not know, kept verbatim.
    case other(String)
}

public struct Usage: Sendable, Equatable {
    /// All prompt tokens, cached ones included (OpenAI's convention). Anthropic reports
    /// uncached input separately; its codec adds cache reads and writes in.
    public var inputTokens: Int
    public var outputTokens: Int
    /// Prompt tokens served from cache (OpenAI `prompt_tokens_details.cached_tokens`,
    /// Anthropic `cache_read_input_tokens`, Gemini `cachedContentTokenCount`).
    public var cachedInputTokens: Int
    /// Anthropic `cache_creation_input_tokens`.
    public var cacheCreationInputTokens: Int
    /// OpenAI `completion_tokens_details.reasoning_tokens`, Gemini `thoughtsTokenCount`;
    /// included in `outputTokens`.
    public var reasoningTokens: Int

    public init(
        inputTokens: Int = 0, outputTokens: Int = 0, cachedInputTokens: Int = 0,
        cacheCreationInputTokens: Int = 0, reasoningTokens: Int = 0
    ) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.cacheCreationInputTokens = cacheCreationInputTokens
        self.reasoningTokens = reasoningTokens
    }

    public var totalTokens: Int { inputTokens + outputTokens }
    public var isZero: Bool { inputTokens == 0 && outputTokens == 0 }
}
