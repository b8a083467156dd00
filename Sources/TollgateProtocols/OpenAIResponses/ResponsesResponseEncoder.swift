import TollgateJSON

/// Canonical → a Responses `response` object for a Responses client.
enum ResponsesResponseEncoder {
    static func encode(_ r: ChatResponse) -> JSON {
        let id = responseID(r.id, created: r.created)
        var output: [JSON] = []
        var text: String?
        func flushText() {
            if let t = text { output.append(ResponsesItems.message(id: itemID("msg", id, output.count), text: t)) }
            text = nil
        }
        for p in r.content {
            switch p {
            case .text(let t):
                text = (text ?? "") + t
            case .thinking(let t, let sig):
                flushText()
                output.append(ResponsesItems.reasoning(id: itemID("rs", id, output.count), summary: t.isEmpty ? nil : t, signature: sig))
            case .toolUse(let callID, let name, let input):
                flushText()
                output.append(ResponsesItems.functionCall(id: itemID("fc", id, output.count), callID: callID, name: name,
                                                          arguments: ResponsesToolArguments.text(input)))
            case .redactedThinking(let data):
                flushText()
                output.append(ResponsesItems.reasoning(id: itemID("rs", id, output.count), summary: nil,
                                                       signature: RedactedThinkingMark.wrap(data)))
            case .image, .toolResult, .cacheBreakpoint, .file:
                continue
            }
        }
        flushText()
        let (status, reason) = ResponsesStatus.encode(r.stopReason)
        return ResponsesItems.response(id: id, model: r.model, created: r.created, status: status, incompleteReason: reason,
                                       output: output, usage: r.usage)
    }

    /// Clients store response ids; keep the provider's, make one when it gave none.
    static func responseID(_ id: String, created: Int) -> String { id.isEmpty ? "resp_\(created)" : id }

    /// Item ids need only be unique within the response; deriving them keeps them stable.
    static func itemID(_ prefix: String, _ responseID: String, _ index: Int) -> String { "\(prefix)_\(index)_\(responseID)" }
}
