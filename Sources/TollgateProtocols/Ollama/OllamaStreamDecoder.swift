import TollgateJSON

/// Ollama's NDJSON stream → canonical events. Each line is a whole answer object holding the
/// next slice; the last has `done: true` with the stop reason and the counts. Tool calls come
/// whole, so each becomes a start plus one arguments fragment.
struct OllamaStreamDecoder: StreamDecoder {
    private var lines = NDJSONSplitter()
    private var started = false
    private var ended = false
    private var callIndex = 0

    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [StreamEvent] {
        var out: [StreamEvent] = []
        for l in lines.feed(bytes) { handle(l, into: &out) }
        return out
    }

    mutating func finish() -> [StreamEvent] {
        var out: [StreamEvent] = []
        for l in lines.finish() { handle(l, into: &out) }
        if !ended {
            ended = true
            out.append(.error(GatewayError(status: 502, kind: .apiError, message: "Ollama stream ended before its final message")))
        }
        return out
    }

    private mutating func handle(_ line: [UInt8], into out: inout [StreamEvent]) {
        guard !ended else { return }
        guard let chunk = try? JSON.parse(line) else {
            fail(GatewayError(status: 502, kind: .apiError, message: "Ollama sent a stream line that is not JSON"), into: &out)
            return
        }
        if let e = chunk["error"] {
            fail(GatewayError(status: 500, kind: .apiError, message: e.string ?? e.jsonString), into: &out)
            return
        }
        if !started {
            started = true
            out.append(.start(id: "", model: chunk["model"]?.string ?? ""))
        }
        let first = callIndex
        var call = first
        for p in OllamaResponseDecoder.parts(chunk["message"], callIndex: &callIndex) {
            switch p {
            case .thinking(let t, _): out.append(.thinkingDelta(t))
            case .text(let t): out.append(.textDelta(t))
            case .toolUse(let id, let name, let input):
                out.append(.toolCallStart(index: call, id: id, name: name))
                out.append(.toolCallArgumentsDelta(index: call, fragment: input.jsonString))
                call += 1
            default: break
            }
        }
        if chunk["done"]?.bool == true {
            out.append(.finish(OllamaResponseDecoder.stopReason(chunk, hasToolCalls: callIndex > 0)))
            out.append(.usage(OllamaResponseDecoder.usage(chunk)))
            out.append(.end)
            ended = true
        }
    }

    private mutating func fail(_ e: GatewayError, into out: inout [StreamEvent]) {
        out.append(.error(e))
        ended = true
    }
}
