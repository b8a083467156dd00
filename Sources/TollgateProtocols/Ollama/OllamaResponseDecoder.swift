import TollgateJSON

/// An Ollama `/api/chat` answer (whole, or one NDJSON line) → canonical.
enum OllamaResponseDecoder {
    static func decode(_ body: JSON) throws(GatewayError) -> ChatResponse {
        guard body.object != nil else {
            throw GatewayError(status: 502, kind: .apiError, message: "Ollama response is not a JSON object")
        }
        var callIndex = 0
        let created = body["created_at"]?.string.flatMap(OllamaTime.parse) ?? 0
        // Ollama answers have no id; the creation time is the best stable handle there is.
        var r = ChatResponse(id: created > 0 ? "ollama-\(created)" : "", model: body["model"]?.string ?? "", created: created)
        r.content = parts(body["message"], callIndex: &callIndex)
        if body["done"]?.bool ?? true { r.stopReason = stopReason(body, hasToolCalls: callIndex > 0) }
        r.usage = usage(body)
        return r
    }

    static func parts(_ message: JSON?, callIndex: inout Int) -> [ContentPart] {
        guard let m = message else { return [] }
        var out: [ContentPart] = []
        if let t = m["thinking"]?.string, !t.isEmpty { out.append(.thinking(text: t, signature: nil)) }
        if let t = m["content"]?.string, !t.isEmpty { out.append(.text(t)) }
        for c in m["tool_calls"]?.array ?? [] {
            guard let name = c["function"]?["name"]?.string else { continue }
            out.append(.toolUse(id: c["id"]?.string ?? "call_\(callIndex)", name: name, input: c["function"]?["arguments"] ?? [:]))
            callIndex += 1
        }
        return out
    }

    static func stopReason(_ body: JSON, hasToolCalls: Bool) -> StopReason {
        switch body["done_reason"]?.string ?? "stop" {
        case "stop": return hasToolCalls ? .toolUse : .endTurn
        case "length": return .maxTokens
        case let other: return .other(other)  // load, unload
        }
    }

    static func usage(_ body: JSON) -> Usage {
        Usage(inputTokens: body["prompt_eval_count"]?.int ?? 0, outputTokens: body["eval_count"]?.int ?? 0)
    }
}
