#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TollgateJSON

/// Canonical events → the Responses event stream for a Responses client. openai-python's
/// `responses.stream()` rebuilds the answer from these, so every item is announced
/// (`output_item.added`, and `content_part.added` for text) before its deltas, carries
/// `item_id`/`output_index`/`content_index`, and is closed with its `.done` events; the last
/// event holds the whole response with usage.
///
/// Text and reasoning items close when anything else begins; function-call items stay open
/// until the finish, because a provider may interleave the argument deltas of parallel calls.
struct ResponsesStreamEncoder: StreamEncoder {
    private struct Item {
        enum Kind { case message, reasoning, call }
        var kind: Kind
        var id: String
        var text = ""  // message text, reasoning summary, or call arguments
        var signature: String?
        var callID = ""
        var name = ""
        var open = true
    }

    private var id = ""
    private var model: String
    private let created = Int(time(nil))
    private var sequence = 0
    private var items: [Item] = []
    private var current: Int?  // the open message or reasoning item
    private var calls: [Int: Int] = [:]  // canonical tool index → output index
    private var stop: StopReason?
    private var usage: Usage?
    private var started = false
    private var done = false

    init(_ options: StreamEncoderOptions) { model = options.model }

    mutating func encode(_ event: StreamEvent, into out: inout [UInt8]) {
        guard !done else { return }
        if case .start(let rid, let m) = event, !started {
            if !m.isEmpty { model = m }
            id = rid
        }
        if !started { begin(into: &out) }
        switch event {
        case .start:
            break
        case .textDelta(let t):
            let k = openCurrent(.message, into: &out)
            items[k].text += t
            emit("response.output_text.delta", ["item_id": .string(items[k].id), "output_index": JSON(k), "content_index": 0,
                                                 "delta": .string(t), "logprobs": []], into: &out)
        case .thinkingDelta(let t):
            let k = openCurrent(.reasoning, into: &out)
            items[k].text += t
            emit("response.reasoning_summary_text.delta", ["item_id": .string(items[k].id), "output_index": JSON(k),
                                                           "summary_index": 0, "delta": .string(t)], into: &out)
        case .thinkingSignature(let s):
            if let k = items.lastIndex(where: { $0.kind == .reasoning }) { items[k].signature = s }
        case .redactedThinking(let data):
            // An item of its own, whole: a reasoning item with the marked data (RedactedThinkingMark).
            closeCurrent(into: &out)
            let k = openCurrent(.reasoning, into: &out)
            items[k].signature = RedactedThinkingMark.wrap(data)
            closeCurrent(into: &out)
        case .toolCallStart(let index, let callID, let name):
            closeCurrent(into: &out)
            let k = items.count
            items.append(Item(kind: .call, id: ResponsesResponseEncoder.itemID("fc", id, k), callID: callID, name: name))
            calls[index] = k
            emit("response.output_item.added", ["output_index": JSON(k), "item": itemJSON(k)], into: &out)
        case .toolCallArgumentsDelta(let index, let fragment):
            guard let k = calls[index], items[k].open else { return }
            items[k].text += fragment
            emit("response.function_call_arguments.delta", ["item_id": .string(items[k].id), "output_index": JSON(k),
                                                            "delta": .string(fragment)], into: &out)
        case .finish(let reason):
            stop = reason
            closeAll(into: &out)
        case .usage(let u):
            if usage == nil { usage = u } else { usage?.merge(u) }
        case .end:
            closeAll(into: &out)
            done = true
            let (status, reason) = ResponsesStatus.encode(stop)
            // An answer cut short ends in response.incomplete, as OpenAI's own stream does.
            emit(status == "completed" ? "response.completed" : "response.incomplete",
                 ["response": response(status: status, incompleteReason: reason, output: items.indices.map(itemJSON))], into: &out)
        case .error(let e):
            done = true
            // Same code/message/param as the OpenAI error body the client would get without a stream.
            let body = OpenAIChatCodec.encodeError(e)["error"]
            let code = e.code.map(JSON.string) ?? body?["code"].flatMap { $0.isNull ? nil : $0 } ?? body?["type"] ?? .string(e.kind.rawValue)
            emit("error", ["code": code, "message": .string(e.message), "param": e.param.map(JSON.string) ?? nil], into: &out)
        }
    }

    private mutating func begin(into out: inout [UInt8]) {
        started = true
        id = ResponsesResponseEncoder.responseID(id, created: created)
        let r = response(status: "in_progress", output: [])
        emit("response.created", ["response": r], into: &out)
        emit("response.in_progress", ["response": r], into: &out)
    }

    /// The open item of `kind`, opening one (and closing any other) when needed.
    private mutating func openCurrent(_ kind: Item.Kind, into out: inout [UInt8]) -> Int {
        if let k = current, items[k].kind == kind { return k }
        closeCurrent(into: &out)
        let k = items.count
        let prefix = kind == .message ? "msg" : "rs"
        items.append(Item(kind: kind, id: ResponsesResponseEncoder.itemID(prefix, id, k)))
        current = k
        emit("response.output_item.added", ["output_index": JSON(k), "item": itemJSON(k)], into: &out)
        let ids: JSONObject = ["item_id": .string(items[k].id), "output_index": JSON(k)]
        if kind == .message {
            emit("response.content_part.added", ids + ["content_index": 0, "part": ResponsesItems.outputText("")], into: &out)
        } else {
            emit("response.reasoning_summary_part.added", ids + ["summary_index": 0, "part": ResponsesItems.summaryText("")], into: &out)
        }
        return k
    }

    private mutating func closeCurrent(into out: inout [UInt8]) {
        if let k = current { close(k, into: &out) }
        current = nil
    }

    private mutating func closeAll(into out: inout [UInt8]) {
        closeCurrent(into: &out)
        for k in items.indices where items[k].open { close(k, into: &out) }
    }

    private mutating func close(_ k: Int, into out: inout [UInt8]) {
        items[k].open = false
        let item = items[k]
        let ids: JSONObject = ["item_id": .string(item.id), "output_index": JSON(k)]
        switch item.kind {
        case .message:
            emit("response.output_text.done", ids + ["content_index": 0, "text": .string(item.text), "logprobs": []], into: &out)
            emit("response.content_part.done", ids + ["content_index": 0, "part": ResponsesItems.outputText(item.text)], into: &out)
        case .reasoning:
            emit("response.reasoning_summary_text.done", ids + ["summary_index": 0, "text": .string(item.text)], into: &out)
            emit("response.reasoning_summary_part.done", ids + ["summary_index": 0, "part": ResponsesItems.summaryText(item.text)],
                 into: &out)
        case .call:
            emit("response.function_call_arguments.done", ids + ["arguments": .string(item.text)], into: &out)
        }
        emit("response.output_item.done", ["output_index": JSON(k), "item": itemJSON(k)], into: &out)
    }

    private func itemJSON(_ k: Int) -> JSON {
        let item = items[k]
        let status = item.open ? "in_progress" : "completed"
        switch item.kind {
        case .message: return ResponsesItems.message(id: item.id, text: item.text, status: status)
        case .reasoning: return ResponsesItems.reasoning(id: item.id, summary: item.open ? nil : item.text, signature: item.signature)
        case .call:
            return ResponsesItems.functionCall(id: item.id, callID: item.callID, name: item.name,
                                               arguments: item.open ? "" : item.text, status: status)
        }
    }

    private func response(status: String, incompleteReason: String? = nil, output: [JSON]) -> JSON {
        ResponsesItems.response(id: id, model: model, created: created, status: status, incompleteReason: incompleteReason,
                                output: output, usage: status == "in_progress" ? nil : usage ?? Usage())
    }

    /// `event: TYPE` then `data: {"type": TYPE, "sequence_number": n, …}`.
    private mutating func emit(_ type: String, _ fields: JSONObject, into out: inout [UInt8]) {
        var o: JSONObject = ["type": .string(type), "sequence_number": JSON(sequence)]
        for (k, v) in fields { o.append(k, v) }
        sequence += 1
        out.append(contentsOf: "event: ".utf8)
        out.append(contentsOf: type.utf8)
        out.append(contentsOf: "\ndata: ".utf8)
        JSON.object(o).serialize(into: &out)
        out.append(contentsOf: "\n\n".utf8)
    }
}

private func + (a: JSONObject, b: JSONObject) -> JSONObject {
    var o = a
    for (k, v) in b { o.append(k, v) }
    return o
}
