/// One step of a streamed answer, independent of wire protocol. Decoders turn provider events
/// into these as each arrives; encoders turn them into the client's events. Both are stateful
/// (block indices, open tool calls) but never hold more than the current event.
public enum StreamEvent: Sendable, Equatable {
    /// The answer began. Anthropic `message_start`, the first OpenAI chunk.
    case start(id: String, model: String)
    case textDelta(String)
    case thinkingDelta(String)
    case thinkingSignature(String)
    /// A whole redacted thinking block (Anthropic `redacted_thinking`: opaque, never streamed
    /// in parts), kept so the client can send it back.
    case redactedThinking(String)
    /// A tool call began. `index` counts tool calls only (0, 1, …), as OpenAI numbers them;
    /// encoders map it to their own block numbering.
    case toolCallStart(index: Int, id: String, name: String)
    case toolCallArgumentsDelta(index: Int, fragment: String)
    case finish(StopReason)
    /// Usage so far; later events may carry larger counts (Anthropic sends input tokens at the
    /// start and output at the end). Encoders and accounting keep the maximum of each field.
    case usage(Usage)
    /// The provider closed the stream normally.
    case end
    /// The provider reported an error inside the stream (Anthropic `error` event, OpenAI
    /// `{"error":…}` chunk).
    case error(GatewayError)
}

extension Usage {
    /// Merges a later usage report into this one, field by field.
    public mutating func merge(_ other: Usage) {
        inputTokens = max(inputTokens, other.inputTokens)
        outputTokens = max(outputTokens, other.outputTokens)
        cachedInputTokens = max(cachedInputTokens, other.cachedInputTokens)
        cacheCreationInputTokens = max(cacheCreationInputTokens, other.cacheCreationInputTokens)
        reasoningTokens = max(reasoningTokens, other.reasoningTokens)
    }
}

extension StreamEvent {
    /// What a decoder emits when the provider's connection closes: `.end` when the answer had
    /// finished (some servers close without their end marker), else an error the client must
    /// see rather than a stream that looks complete.
    static func closing(finished: Bool) -> StreamEvent {
        finished
            ? .end
            : .error(GatewayError(status: 502, kind: .apiError, message: "The upstream stream ended before the answer finished."))
    }
}
