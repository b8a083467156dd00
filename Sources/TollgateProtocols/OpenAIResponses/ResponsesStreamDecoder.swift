import TollgateJSON

/// A Responses event stream (`event: TYPE` / `data: {"type": TYPE, …}`) → canonical events.
/// Items are tracked by `output_index`, which every item-level event carries.
struct ResponsesStreamDecoder: StreamDecoder {
    private var sse = SSEParser()
    private var ended = false
    /// output_index → (canonical tool index, whether argument deltas were seen)
    private var calls: [Int: (index: Int, sawArguments: Bool)] = [:]

    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [StreamEvent] {
        var out: [StreamEvent] = []
        for e in sse.feed(bytes) { handle(e, into: &out) }
        return out
    }

    mutating func finish() -> [StreamEvent] {
        var out: [StreamEvent] = []
        for e in sse.finish() { handle(e, into: &out) }
        if !ended {
            ended = true
            out.append(.error(GatewayError(status: 502, kind: .apiError, message: "Responses stream ended before response.completed")))
        }
        return out
    }

    private mutating func handle(_ e: SSEEvent, into out: inout [StreamEvent]) {
        guard !ended, e.data != "[DONE]" else { return }
        guard let ev = try? JSON.parse(e.data) else {
            fail(GatewayError(status: 502, kind: .apiError, message: "Responses stream event is not JSON"), into: &out)
            return
        }
        let outputIndex = ev["output_index"]?.int ?? -1
        switch ev["type"]?.string ?? e.event ?? "" {
        case "response.created":
            let r = ev["response"]
            out.append(.start(id: r?["id"]?.string ?? "", model: r?["model"]?.string ?? ""))
        case "response.output_item.added":
            guard let item = ev["item"], item["type"]?.string == "function_call" else { return }
            let k = calls.count
            calls[outputIndex] = (k, false)
            out.append(.toolCallStart(index: k, id: item["call_id"]?.string ?? "", name: item["name"]?.string ?? ""))
        case "response.output_text.delta", "response.refusal.delta":
            if let d = ev["delta"]?.string { out.append(.textDelta(d)) }
        case "response.reasoning_summary_text.delta", "response.reasoning_text.delta":
            if let d = ev["delta"]?.string { out.append(.thinkingDelta(d)) }
        case "response.function_call_arguments.delta":
            guard let c = calls[outputIndex], let d = ev["delta"]?.string else { return }
            calls[outputIndex]?.sawArguments = true
            out.append(.toolCallArgumentsDelta(index: c.index, fragment: d))
        case "response.output_item.done":
            let item = ev["item"]
            if item?["type"]?.string == "reasoning", let sig = item?["encrypted_content"]?.string {
                out.append(RedactedThinkingMark.unwrap(sig).map { .redactedThinking($0) } ?? .thinkingSignature(sig))
            } else if let c = calls[outputIndex], !c.sawArguments, let args = item?["arguments"]?.string, !args.isEmpty {
                out.append(.toolCallArgumentsDelta(index: c.index, fragment: args))  // sent whole, no deltas
            }
        case "response.completed", "response.incomplete":
            let r = ev["response"] ?? [:]
            if let reason = ResponsesStatus.decode(r, hasFunctionCall: !calls.isEmpty) { out.append(.finish(reason)) }
            if let u = r["usage"], !u.isNull { out.append(.usage(ResponsesUsage.decode(u))) }
            out.append(.end)
            ended = true
        case "response.failed":
            let err = ev["response"]?["error"]
            fail(GatewayError(status: 502, kind: .apiError, message: err?["message"]?.string ?? "response failed",
                              code: err?["code"]?.string), into: &out)
        case "error":
            let err = ev["error"] ?? ev  // the event carries code/message at the top level
            let code = err["code"]?.string
            let kind: GatewayError.Kind = code?.contains("rate_limit") == true ? .rateLimit : .apiError
            fail(GatewayError(status: kind == .rateLimit ? 429 : 500, kind: kind, message: err["message"]?.string ?? ev.jsonString,
                              param: err["param"]?.string, code: code), into: &out)
        default:
            return  // in_progress, content_part.*, *.done: nothing new for canonical events
        }
    }

    private mutating func fail(_ e: GatewayError, into out: inout [StreamEvent]) {
        out.append(.error(e))
        ended = true
    }
}
