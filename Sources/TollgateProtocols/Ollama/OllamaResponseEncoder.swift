import TollgateJSON

/// Canonical → an Ollama `/api/chat` answer for an Ollama client.
enum OllamaResponseEncoder {
    static func encode(_ r: ChatResponse) -> JSON {
        var text = ""
        var thinking = ""
        var calls: [JSON] = []
        for p in r.content {
            switch p {
            case .text(let t): text += t
            case .thinking(let t, _): thinking += t
            case .toolUse(_, let name, let input):
                calls.append(["function": ["name": .string(name), "arguments": OllamaRequestEncoder.arguments(input)]])
            default: continue
            }
        }
        var message: JSONObject = ["role": "assistant", "content": .string(text)]
        if !thinking.isEmpty { message.append("thinking", .string(thinking)) }
        if !calls.isEmpty { message.append("tool_calls", .array(calls)) }
        return final(model: r.model, created: r.created, message: message, stop: r.stopReason, usage: r.usage)
    }

    /// The `done: true` object; the stream encoder's last line has the same shape.
    static func final(model: String, created: Int, message: JSONObject, stop: StopReason?, usage: Usage) -> JSON {
        var o: JSONObject = ["model": .string(model), "created_at": .string(OllamaTime.format(created > 0 ? created : OllamaTime.now()))]
        o.append("message", .object(message))
        o.append("done", true)
        o.append("done_reason", .string(doneReason(stop)))
        o.append("prompt_eval_count", JSON(usage.inputTokens))
        o.append("eval_count", JSON(usage.outputTokens))
        return .object(o)
    }

    static func doneReason(_ s: StopReason?) -> String {
        switch s {
        case .maxTokens?: return "length"
        case .other(let raw)? where raw == "load" || raw == "unload": return raw
        default: return "stop"
        }
    }
}
