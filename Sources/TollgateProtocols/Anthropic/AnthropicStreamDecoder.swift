import TollgateJSON

/// Anthropic Messages SSE → canonical events. Content blocks are numbered by Anthropic across
/// all kinds; canonical tool indices count tool calls only, so each `tool_use` block gets the
/// next ordinal. `redacted_thinking` comes whole in its start event; server-tool blocks have no
/// stream event and are skipped.
struct AnthropicStreamDecoder: StreamDecoder {
    private enum Block {
        case text, thinking, tool(Int), ignored
    }

    private var sse = SSEParser()
    private var blocks: [Int: Block] = [:]
    private var toolCount = 0
    private var finished = false
    private var ended = false

    init() {}

    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [StreamEvent] {
        var out: [StreamEvent] = []
        for e in sse.feed(bytes) { handle(e, into: &out) }
        return out
    }

    /// The connection closed without `message_stop`: normal if the stop reason came, else the
    /// answer was cut short and the client must learn it.
    mutating func finish() -> [StreamEvent] {
        var out: [StreamEvent] = []
        for e in sse.finish() { handle(e, into: &out) }
        guard !ended else { return out }
        ended = true
        out.append(.closing(finished: finished))
        return out
    }

    private mutating func handle(_ e: SSEEvent, into out: inout [StreamEvent]) {
        guard !ended, let json = try? JSON.parse(e.data), json.object != nil else { return }
        // The payload's `type` repeats the `event:` name; it is read so a stream that drops
        // `event:` lines still decodes.
        switch json["type"]?.string ?? e.event {
        case "message_start":
            let message = json["message"]
            out.append(.start(id: message?["id"]?.string ?? "", model: message?["model"]?.string ?? ""))
            if let usage = AnthropicUsage.decode(message?["usage"]), !usage.isZero { out.append(.usage(usage)) }
        case "content_block_start":
            blockStart(json, into: &out)
        case "content_block_delta":
            blockDelta(json, into: &out)
        case "message_delta":
            if let reason = json["delta"]?["stop_reason"]?.string {
                finished = true
                out.append(.finish(AnthropicStopReason.decode(reason, sequence: json["delta"]?["stop_sequence"]?.string)))
            }
            if let usage = AnthropicUsage.decode(json["usage"]) { out.append(.usage(usage)) }
        case "message_stop":
            ended = true
            out.append(.end)
        case "error":
            ended = true
            out.append(
                .error(
                    AnthropicErrors.decode(status: 200, json: json)
                        ?? GatewayError(status: 500, kind: .apiError, message: "The upstream stream reported an error.")))
        default:
            break  // ping, content_block_stop, and event types added later
        }
    }

    private mutating func blockStart(_ json: JSON, into out: inout [StreamEvent]) {
        guard let index = json["index"]?.int, let block = json["content_block"] else { return }
        switch block["type"]?.string {
        case "text":
            blocks[index] = .text
            if let t = block["text"]?.string, !t.isEmpty { out.append(.textDelta(t)) }
        case "thinking":
            blocks[index] = .thinking
            if let t = block["thinking"]?.string, !t.isEmpty { out.append(.thinkingDelta(t)) }
            if let s = block["signature"]?.string, !s.isEmpty { out.append(.thinkingSignature(s)) }
        case "redacted_thinking":
            blocks[index] = .ignored
            if let d = block["data"]?.string { out.append(.redactedThinking(d)) }
        case "tool_use":
            let ordinal = toolCount
            toolCount += 1
            blocks[index] = .tool(ordinal)
            out.append(.toolCallStart(index: ordinal, id: block["id"]?.string ?? "", name: block["name"]?.string ?? ""))
            // The input normally streams as JSON fragments after an empty `{}`; a block that
            // arrives with its input filled in is passed on whole.
            if let input = block["input"], let o = input.object, !o.isEmpty {
                out.append(.toolCallArgumentsDelta(index: ordinal, fragment: input.jsonString))
            }
        default:
            blocks[index] = .ignored
        }
    }

    private func blockDelta(_ json: JSON, into out: inout [StreamEvent]) {
        guard let index = json["index"]?.int, let delta = json["delta"] else { return }
        switch (blocks[index], delta["type"]?.string) {
        case (.text?, "text_delta"):
            if let t = delta["text"]?.string, !t.isEmpty { out.append(.textDelta(t)) }
        case (.thinking?, "thinking_delta"):
            if let t = delta["thinking"]?.string, !t.isEmpty { out.append(.thinkingDelta(t)) }
        case (.thinking?, "signature_delta"):
            if let s = delta["signature"]?.string, !s.isEmpty { out.append(.thinkingSignature(s)) }
        case (.tool(let ordinal)?, "input_json_delta"):
            if let f = delta["partial_json"]?.string, !f.isEmpty {
                out.append(.toolCallArgumentsDelta(index: ordinal, fragment: f))
            }
        default:
            break  // citations and deltas of skipped blocks
        }
    }
}
