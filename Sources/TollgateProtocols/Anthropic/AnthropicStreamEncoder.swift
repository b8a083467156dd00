import TollgateJSON

/// Canonical events → Anthropic Messages SSE, as anthropic-python's MessageStream accumulates
/// it: `message_start`, then content blocks numbered 0, 1, … — each opened with
/// `content_block_start`, fed deltas, closed with `content_block_stop` when the kind of delta
/// changes — then one `message_delta` with the stop reason and usage, and `message_stop`.
///
/// `message_start` is held until the first content event, so usage reported right after the
/// start (Anthropic's own input count) is in it. The stop reason is held until `.end`, so the
/// final usage (OpenAI sends it after the finish chunk) is in `message_delta`.
struct AnthropicStreamEncoder: StreamEncoder {
    private enum Open: Equatable {
        case none, text, thinking, redacted, tool(Int)
    }

    private let options: StreamEncoderOptions
    private var id = ""
    private var model = ""
    private var started = false
    private var ended = false
    private var open = Open.none
    private var nextBlock = 0
    private var stopReason: StopReason?
    private var usage = Usage()
    /// Tool calls that began while another call's block was open. Anthropic's blocks cannot
    /// interleave, and some providers interleave parallel calls' argument fragments: these
    /// gather here and go out whole, each as its own block, once the open block ends.
    private var held: [(index: Int, id: String, name: String, arguments: String)] = []

    init(options: StreamEncoderOptions) {
        self.options = options
    }

    mutating func encode(_ event: StreamEvent, into out: inout [UInt8]) {
        guard !ended else { return }
        switch event {
        case .start(let id, let model):
            self.id = id
            self.model = model
        case .usage(let u):
            usage.merge(u)
        case .textDelta(let text):
            ensure(.text, into: &out)
            writeDelta(Self.textDeltaHead, text, into: &out)
        case .thinkingDelta(let text):
            ensure(.thinking, into: &out)
            writeDelta(Self.thinkingDeltaHead, text, into: &out)
        case .thinkingSignature(let signature):
            ensure(.thinking, into: &out)
            writeDelta(Self.signatureDeltaHead, signature, into: &out)
        case .redactedThinking(let data):
            // Whole in its start event, as Anthropic sends it; closed at once.
            ensureStarted(into: &out)
            close(into: &out)
            writeBlockStart(["type": "redacted_thinking", "data": .string(data)], into: &out)
            open = .redacted
            close(into: &out)
        case .toolCallStart(let index, let id, let name):
            ensureStarted(into: &out)
            if case .tool = open {
                held.append((index, id, name, ""))
                return
            }
            close(into: &out)
            open = .tool(index)
            writeBlockStart(["type": "tool_use", "id": .string(id), "name": .string(name), "input": [:]], into: &out)
        case .toolCallArgumentsDelta(let index, let fragment):
            if open == .tool(index) {
                writeDelta(Self.inputJSONDeltaHead, fragment, into: &out)
            } else if let k = held.firstIndex(where: { $0.index == index }) {
                held[k].arguments += fragment
            }
        case .finish(let reason):
            ensureStarted(into: &out)
            close(into: &out)
            if stopReason == nil { stopReason = reason }
        case .end:
            ensureStarted(into: &out)
            close(into: &out)
            let (reason, sequence) = AnthropicStopReason.encode(stopReason ?? .endTurn)
            let delta: JSON = [
                "type": "message_delta",
                "delta": ["stop_reason": .string(reason), "stop_sequence": sequence.map(JSON.string) ?? .null],
                "usage": AnthropicUsage.encode(usage),
            ]
            SSEWriter.write(event: "message_delta", json: delta, into: &out)
            SSEWriter.write(event: "message_stop", json: ["type": "message_stop"], into: &out)
            ended = true
        case .error(let e):
            // The SDK raises on an `error` event wherever it comes; nothing may follow it.
            SSEWriter.write(event: "error", json: AnthropicErrors.encode(e), into: &out)
            ended = true
        }
    }

    /// Writes `message_start` once, making up an id and using the options' model when the
    /// provider gave none (or `.start` never came).
    private mutating func ensureStarted(into out: inout [UInt8]) {
        guard !started else { return }
        started = true
        let message: JSON = [
            "id": .string(id.isEmpty ? "msg_\(String(UInt64.random(in: 0...UInt64.max), radix: 36))" : id),
            "type": "message", "role": "assistant",
            "model": .string(model.isEmpty ? options.model : model),
            "content": [], "stop_reason": nil, "stop_sequence": nil,
            "usage": AnthropicUsage.encode(usage),
        ]
        SSEWriter.write(event: "message_start", json: ["type": "message_start", "message": message], into: &out)
    }

    /// Makes a text or thinking block the open one, closing another kind first.
    private mutating func ensure(_ kind: Open, into out: inout [UInt8]) {
        ensureStarted(into: &out)
        guard open != kind else { return }
        close(into: &out)
        open = kind
        if kind == .text {
            writeBlockStart(["type": "text", "text": ""], into: &out)
        } else {
            writeBlockStart(["type": "thinking", "thinking": "", "signature": ""], into: &out)
        }
    }

    private mutating func close(into out: inout [UInt8]) {
        guard open != .none else { return }
        writeBlockStop(into: &out)
        let wasTool: Bool
        if case .tool = open { wasTool = true } else { wasTool = false }
        open = .none
        guard wasTool, !held.isEmpty else { return }
        let calls = held
        held = []
        for c in calls {
            writeBlockStart(["type": "tool_use", "id": .string(c.id), "name": .string(c.name), "input": [:]], into: &out)
            if !c.arguments.isEmpty { writeDelta(Self.inputJSONDeltaHead, c.arguments, into: &out) }
            writeBlockStop(into: &out)
        }
    }

    private func writeBlockStop(into out: inout [UInt8]) {
        out.append(contentsOf: Self.blockStopHead)
        out.append(contentsOf: String(nextBlock - 1).utf8)
        out.append(UInt8(ascii: "}"))
        out.append(contentsOf: SSEWriter.terminator)
    }

    private mutating func writeBlockStart(_ block: JSON, into out: inout [UInt8]) {
        out.append(contentsOf: Self.blockStartHead)
        out.append(contentsOf: String(nextBlock).utf8)
        out.append(contentsOf: Self.contentBlockKey)
        block.serialize(into: &out)
        out.append(UInt8(ascii: "}"))
        out.append(contentsOf: SSEWriter.terminator)
        nextBlock += 1
    }

    /// `content_block_delta` for the open block: `head` names the delta type and its field.
    private func writeDelta(_ head: [UInt8], _ value: String, into out: inout [UInt8]) {
        out.append(contentsOf: Self.blockDeltaHead)
        out.append(contentsOf: String(nextBlock - 1).utf8)
        out.append(contentsOf: head)
        JSON.writeString(value, into: &out)
        out.append(contentsOf: Self.deltaClose)
        out.append(contentsOf: SSEWriter.terminator)
    }

    private static let blockStartHead = Array(
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":".utf8)
    private static let contentBlockKey = Array(#","content_block":"#.utf8)
    private static let blockDeltaHead = Array(
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":".utf8)
    private static let blockStopHead = Array(
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":".utf8)
    private static let textDeltaHead = Array(#","delta":{"type":"text_delta","text":"#.utf8)
    private static let thinkingDeltaHead = Array(#","delta":{"type":"thinking_delta","thinking":"#.utf8)
    private static let signatureDeltaHead = Array(#","delta":{"type":"signature_delta","signature":"#.utf8)
    private static let inputJSONDeltaHead = Array(#","delta":{"type":"input_json_delta","partial_json":"#.utf8)
    private static let deltaClose = Array("}}".utf8)
}
