import TollgateJSON

/// Canonical events → Ollama NDJSON for an Ollama client: a `done: false` line per text or
/// thinking delta, tool calls whole in one line once their arguments are complete, then the
/// `done: true` line with the reason and counts.
struct OllamaStreamEncoder: StreamEncoder {
    private var model: String
    private var created = OllamaTime.now()
    private var calls: [(index: Int, name: String, arguments: String)] = []
    private var stop: StopReason?
    private var usage = Usage()
    private var done = false

    init(_ options: StreamEncoderOptions) { model = options.model }

    mutating func encode(_ event: StreamEvent, into out: inout [UInt8]) {
        guard !done else { return }
        switch event {
        case .start(_, let m):
            if !m.isEmpty { model = m }
        case .textDelta(let t):
            line(["role": "assistant", "content": .string(t)], into: &out)
        case .thinkingDelta(let t):
            line(["role": "assistant", "content": "", "thinking": .string(t)], into: &out)
        case .thinkingSignature, .redactedThinking:
            break
        case .toolCallStart(let index, _, let name):
            calls.append((index, name, ""))
        case .toolCallArgumentsDelta(let index, let fragment):
            if let k = calls.lastIndex(where: { $0.index == index }) { calls[k].arguments += fragment }
        case .finish(let reason):
            stop = reason
            flushCalls(into: &out)
        case .usage(let u):
            usage.merge(u)
        case .end:
            flushCalls(into: &out)
            done = true
            let last = OllamaResponseEncoder.final(model: model, created: created, message: ["role": "assistant", "content": ""],
                                                   stop: stop, usage: usage)
            emit(last, into: &out)
        case .error(let e):
            done = true
            emit(OllamaErrors.encode(e), into: &out)
        }
    }

    private mutating func flushCalls(into out: inout [UInt8]) {
        guard !calls.isEmpty else { return }
        let json = calls.map { c -> JSON in
            let args = c.arguments.isEmpty ? [:] : OllamaRequestEncoder.arguments(.string(c.arguments))
            return ["function": ["name": .string(c.name), "arguments": args]]
        }
        calls.removeAll()
        line(["role": "assistant", "content": "", "tool_calls": .array(json)], into: &out)
    }

    private func line(_ message: JSONObject, into out: inout [UInt8]) {
        emit(["model": .string(model), "created_at": .string(OllamaTime.format(created)), "message": .object(message), "done": false],
             into: &out)
    }

    private func emit(_ json: JSON, into out: inout [UInt8]) {
        json.serialize(into: &out)
        out.append(0x0A)
    }
}
