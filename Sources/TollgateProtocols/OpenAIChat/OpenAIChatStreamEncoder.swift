import TollgateJSON

/// Canonical events → `chat.completion.chunk` SSE, the shape openai-python's stream
/// accumulator and other SDKs expect: a first chunk with `role`, tool calls opened with id,
/// type and name, one finish chunk, then (when asked) a usage chunk with `choices: []`, then
/// `[DONE]`. Chunks are written straight into the output bytes from a cached prefix.
struct OpenAIChatStreamEncoder: StreamEncoder {
    private let options: StreamEncoderOptions
    private let created: Int
    /// `{"id":…,"object":"chat.completion.chunk","created":…,"model":…` — every chunk opens so.
    private var prefix: [UInt8] = []
    private var started = false
    private var finished = false
    private var ended = false
    private var usage = Usage()

    /// `created` is fixed for the stream (as OpenAI's is); tests pass one in.
    init(options: StreamEncoderOptions, created: Int? = nil) {
        self.options = options
        self.created = created ?? OpenAIChatResponseEncoder.unixNow()
    }

    mutating func encode(_ event: StreamEvent, into out: inout [UInt8]) {
        guard !ended else { return }
        switch event {
        case .start(let id, let model):
            start(id: id, model: model, into: &out)
        case .textDelta(let text):
            start(id: "", model: "", into: &out)
            writeDelta(into: &out) { o in
                o.append(contentsOf: Self.contentKey)
                JSON.writeString(text, into: &o)
            }
        case .thinkingDelta(let text):
            // LiteLLM's stream convention: the text as `reasoning_content`, and as the growing
            // thinking block its clients reassemble (and send back with the signature below).
            start(id: "", model: "", into: &out)
            writeDelta(into: &out) { o in
                o.append(contentsOf: Self.reasoningKey)
                JSON.writeString(text, into: &o)
                o.append(contentsOf: Self.thinkingBlockKey)
                JSON.writeString(text, into: &o)
                o.append(contentsOf: Self.blockClose)
            }
        case .thinkingSignature(let signature):
            writeThinkingBlock(Self.signatureBlockKey, signature, into: &out)
        case .redactedThinking(let data):
            writeThinkingBlock(Self.redactedBlockKey, data, into: &out)
        case .toolCallStart(let index, let id, let name):
            start(id: "", model: "", into: &out)
            writeDelta(into: &out) { o in
                o.append(contentsOf: Self.toolCallsIndexKey)
                o.append(contentsOf: String(index).utf8)
                o.append(contentsOf: Self.idKey)
                JSON.writeString(id, into: &o)
                o.append(contentsOf: Self.typeFunctionNameKey)
                JSON.writeString(name, into: &o)
                o.append(contentsOf: Self.emptyArgumentsClose)
            }
        case .toolCallArgumentsDelta(let index, let fragment):
            start(id: "", model: "", into: &out)
            writeDelta(into: &out) { o in
                o.append(contentsOf: Self.toolCallsIndexKey)
                o.append(contentsOf: String(index).utf8)
                o.append(contentsOf: Self.argumentsKey)
                JSON.writeString(fragment, into: &o)
                o.append(contentsOf: Self.argumentsClose)
            }
        case .finish(let reason):
            start(id: "", model: "", into: &out)
            writeFinish(OpenAIChatFinishReason.encode(reason), into: &out)
        case .usage(let u):
            usage.merge(u)
        case .end:
            start(id: "", model: "", into: &out)
            if !finished { writeFinish("stop", into: &out) }
            if options.includeUsage {
                // Usage is held to the end: Anthropic reports output tokens after the stop
                // reason, and OpenAI's own usage chunk is always the last before [DONE].
                out.append(contentsOf: SSEWriter.dataPrefix)
                out.append(contentsOf: prefix)
                out.append(contentsOf: Self.emptyChoicesUsageKey)
                OpenAIChatUsage.encode(usage).serialize(into: &out)
                out.append(UInt8(ascii: "}"))
                out.append(contentsOf: SSEWriter.terminator)
            }
            out.append(contentsOf: SSEWriter.done)
            ended = true
        case .error(let e):
            // openai-python raises APIError on a chunk holding `error`; nothing follows it.
            SSEWriter.write(event: nil, json: OpenAIChatErrors.encode(e), into: &out)
            ended = true
        }
    }

    /// Writes the opening chunk once. Called by every event, so a stream whose `.start` never
    /// came still opens properly (with a made-up id and the options' model).
    private mutating func start(id: String, model: String, into out: inout [UInt8]) {
        guard !started else { return }
        started = true
        prefix.reserveCapacity(128)
        prefix.append(contentsOf: Self.idOpen)
        JSON.writeString(id.isEmpty ? "chatcmpl-\(Self.randomSuffix())" : id, into: &prefix)
        prefix.append(contentsOf: Self.objectCreatedKey)
        prefix.append(contentsOf: String(created).utf8)
        prefix.append(contentsOf: Self.modelKey)
        JSON.writeString(model.isEmpty ? options.model : model, into: &prefix)
        writeDelta(into: &out) { $0.append(contentsOf: Self.roleAssistant) }
    }

    /// `data: <prefix>,"choices":[{"index":0,"delta":{<fields>},"logprobs":null,"finish_reason":null}]}`.
    /// A delta holding one thinking block: `head` opens it up to the value's key.
    private mutating func writeThinkingBlock(_ head: [UInt8], _ value: String, into out: inout [UInt8]) {
        start(id: "", model: "", into: &out)
        writeDelta(into: &out) { o in
            o.append(contentsOf: head)
            JSON.writeString(value, into: &o)
            o.append(contentsOf: Self.blockClose)
        }
    }

    private func writeDelta(into out: inout [UInt8], _ fields: (inout [UInt8]) -> Void) {
        out.append(contentsOf: SSEWriter.dataPrefix)
        out.append(contentsOf: prefix)
        out.append(contentsOf: Self.choicesDeltaOpen)
        fields(&out)
        out.append(contentsOf: Self.deltaCloseNoFinish)
        out.append(contentsOf: SSEWriter.terminator)
    }

    private mutating func writeFinish(_ reason: String, into out: inout [UInt8]) {
        guard !finished else { return }
        finished = true
        out.append(contentsOf: SSEWriter.dataPrefix)
        out.append(contentsOf: prefix)
        out.append(contentsOf: Self.choicesDeltaOpen)
        out.append(contentsOf: Self.emptyDeltaFinish)
        JSON.writeString(reason, into: &out)
        out.append(contentsOf: Self.choiceClose)
        out.append(contentsOf: SSEWriter.terminator)
    }

    private static func randomSuffix() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    private static let idOpen = Array(#"{"id":"#.utf8)
    private static let objectCreatedKey = Array(#","object":"chat.completion.chunk","created":"#.utf8)
    private static let modelKey = Array(#","model":"#.utf8)
    private static let choicesDeltaOpen = Array(#","choices":[{"index":0,"delta":{"#.utf8)
    private static let deltaCloseNoFinish = Array(#"},"logprobs":null,"finish_reason":null}]}"#.utf8)
    private static let emptyDeltaFinish = Array(#"},"logprobs":null,"finish_reason":"#.utf8)
    private static let choiceClose = Array(#"}]}"#.utf8)
    private static let emptyChoicesUsageKey = Array(#","choices":[],"usage":"#.utf8)
    private static let roleAssistant = Array(#""role":"assistant","content":"""#.utf8)
    private static let contentKey = Array(#""content":"#.utf8)
    private static let reasoningKey = Array(#""reasoning_content":"#.utf8)
    private static let thinkingBlockKey = Array(#","thinking_blocks":[{"type":"thinking","thinking":"#.utf8)
    private static let signatureBlockKey = Array(#""thinking_blocks":[{"type":"thinking","thinking":"","signature":"#.utf8)
    private static let redactedBlockKey = Array(#""thinking_blocks":[{"type":"redacted_thinking","data":"#.utf8)
    private static let blockClose = Array("}]".utf8)
    private static let toolCallsIndexKey = Array(#""tool_calls":[{"index":"#.utf8)
    private static let idKey = Array(#","id":"#.utf8)
    private static let typeFunctionNameKey = Array(#","type":"function","function":{"name":"#.utf8)
    private static let emptyArgumentsClose = Array(#","arguments":""}}]"#.utf8)
    private static let argumentsKey = Array(#","function":{"arguments":"#.utf8)
    private static let argumentsClose = Array(#"}}]"#.utf8)
}
