import TollgateJSON

/// `streamGenerateContent?alt=sse` → canonical events. Each SSE `data:` is a whole
/// GenerateContentResponse holding the next slice of the answer; function calls arrive whole,
/// so each becomes a start plus one arguments fragment. There is no end marker: the stream
/// ends when the connection closes cleanly.
struct GeminiStreamDecoder: StreamDecoder {
    private var sse = SSEParser()
    private var started = false
    private var ended = false
    private var callIndex = 0
    private var lastUsage: Usage?

    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [StreamEvent] {
        var out: [StreamEvent] = []
        for e in sse.feed(bytes) { handle(e.data, into: &out) }
        return out
    }

    mutating func finish() -> [StreamEvent] {
        var out: [StreamEvent] = []
        for e in sse.finish() { handle(e.data, into: &out) }
        if !ended {
            ended = true
            out.append(.end)
        }
        return out
    }

    private mutating func handle(_ data: String, into out: inout [StreamEvent]) {
        guard !ended else { return }
        guard let chunk = try? JSON.parse(data) else {
            fail(GatewayError(status: 502, kind: .apiError, message: "Gemini sent a stream chunk that is not JSON"), into: &out)
            return
        }
        if chunk["error"] != nil {
            fail(GeminiErrors.decode(status: chunk["error"]?["code"]?.int ?? 500, json: chunk), into: &out)
            return
        }
        let rid = chunk.gemini("responseId", "response_id")?.string ?? ""
        if !started {
            started = true
            out.append(.start(id: rid, model: chunk.gemini("modelVersion", "model_version")?.string ?? ""))
        }
        let candidate = chunk["candidates"]?[0]
        let firstCall = callIndex
        let parts = GeminiResponseDecoder.parts(candidate?["content"]?["parts"]?.array ?? [], responseID: rid, callIndex: &callIndex)
        var call = firstCall
        for p in parts {
            switch p {
            case .text(let t): out.append(.textDelta(t))
            case .thinking(let t, let signature):
                if !t.isEmpty { out.append(.thinkingDelta(t)) }
                if let signature { out.append(.thinkingSignature(signature)) }
            case .toolUse(let id, let name, let input):
                out.append(.toolCallStart(index: call, id: id, name: name))
                out.append(.toolCallArgumentsDelta(index: call, fragment: input.jsonString))
                call += 1
            default: break  // generated images have no delta form
            }
        }
        if let reason = GeminiResponseDecoder.stopReason(chunk, candidate: candidate, hasFunctionCall: callIndex > 0) {
            out.append(.finish(reason))
        }
        // Every chunk repeats usage so far; report it only when it moved.
        if let m = chunk.gemini("usageMetadata", "usage_metadata") {
            let u = GeminiUsage.decode(m)
            if u != lastUsage {
                lastUsage = u
                out.append(.usage(u))
            }
        }
    }

    private mutating func fail(_ e: GatewayError, into out: inout [StreamEvent]) {
        out.append(.error(e))
        ended = true  // nothing after an error is trustworthy, and no `.end` follows one
    }
}
