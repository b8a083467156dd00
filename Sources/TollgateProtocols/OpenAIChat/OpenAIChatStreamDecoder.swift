import TollgateJSON

/// `chat.completion.chunk` SSE → canonical events. Reads the first choice of each chunk; a
/// chunk may carry a delta, a finish reason and usage at once (some servers put usage on the
/// finish chunk), so each is checked.
struct OpenAIChatStreamDecoder: StreamDecoder {
    private var sse = SSEParser()
    private var started = false
    private var finished = false
    private var ended = false
    /// OpenAI's tool-call `index` → canonical ordinal and call id. Usually index and ordinal
    /// agree, but servers that number sparsely or reuse an index still yield 0, 1, 2, ….
    private var toolCalls: [Int: (ordinal: Int, id: String)] = [:]
    private var toolCallCount = 0

    init() {}

    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [StreamEvent] {
        var out: [StreamEvent] = []
        for e in sse.feed(bytes) { handle(e, into: &out) }
        return out
    }

    /// The connection closed. Without `[DONE]` the stream still ended normally if a finish
    /// reason came; otherwise the answer was cut short, which the client must learn.
    mutating func finish() -> [StreamEvent] {
        var out: [StreamEvent] = []
        for e in sse.finish() { handle(e, into: &out) }
        guard !ended else { return out }
        ended = true
        out.append(.closing(finished: finished))
        return out
    }

    private mutating func handle(_ e: SSEEvent, into out: inout [StreamEvent]) {
        guard !ended else { return }
        if e.data == "[DONE]" {
            ended = true
            out.append(.end)
            return
        }
        guard let chunk = try? JSON.parse(e.data), chunk.object != nil else { return }  // keep-alives, junk
        if let error = OpenAIChatErrors.decode(status: 200, json: chunk), chunk["choices"] == nil {
            ended = true
            out.append(.error(error))
            return
        }
        let choices = chunk["choices"]?.array ?? []
        let id = chunk["id"]?.string ?? ""
        // Azure opens with a chunk of content-filter results: no id, no choices. Start on the
        // first chunk that names itself or carries a choice.
        if !started, !id.isEmpty || !choices.isEmpty {
            started = true
            out.append(.start(id: id, model: chunk["model"]?.string ?? ""))
        }
        if let choice = choices.first {
            if let delta = choice["delta"] { handleDelta(delta, into: &out) }
            if let reason = choice["finish_reason"]?.string {
                finished = true
                out.append(.finish(OpenAIChatFinishReason.decode(reason)))
            }
        }
        if let usage = OpenAIChatUsage.decode(chunk["usage"]) { out.append(.usage(usage)) }
    }

    private mutating func handleDelta(_ delta: JSON, into out: inout [StreamEvent]) {
        let reasoning = delta["reasoning_content"]?.string ?? delta["reasoning"]?.string
        if let r = reasoning, !r.isEmpty {
            out.append(.thinkingDelta(r))
        }
        // LiteLLM-style servers (and Tollgate itself) add `thinking_blocks`: the text again
        // (taken only when no reasoning text came with it), the signature, redacted blocks.
        for b in delta["thinking_blocks"]?.array ?? [] {
            if b["type"]?.string == "redacted_thinking" {
                if let d = b["data"]?.string { out.append(.redactedThinking(d)) }
                continue
            }
            if reasoning == nil, let t = b["thinking"]?.string, !t.isEmpty { out.append(.thinkingDelta(t)) }
            if let s = b["signature"]?.string, !s.isEmpty { out.append(.thinkingSignature(s)) }
        }
        if let t = delta["content"]?.string, !t.isEmpty { out.append(.textDelta(t)) }
        if let t = delta["refusal"]?.string, !t.isEmpty { out.append(.textDelta(t)) }
        guard let calls = delta["tool_calls"]?.array else { return }
        for call in calls {
            let wireIndex = call["index"]?.int ?? 0
            let fn = call["function"]
            let id = call["id"]?.string ?? ""
            let ordinal: Int
            if let open = toolCalls[wireIndex], id.isEmpty || id == open.id {
                ordinal = open.ordinal
            } else {
                // A new index opens a call; so does a new id at a known index (servers that
                // number every call 0).
                ordinal = toolCallCount
                toolCallCount += 1
                toolCalls[wireIndex] = (ordinal, id)
                out.append(.toolCallStart(index: ordinal, id: id, name: fn?["name"]?.string ?? ""))
            }
            if let args = fn?["arguments"]?.string, !args.isEmpty {
                out.append(.toolCallArgumentsDelta(index: ordinal, fragment: args))
            }
        }
    }
}
