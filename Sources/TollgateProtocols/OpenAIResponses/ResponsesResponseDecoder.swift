import TollgateJSON

/// A Responses `response` object → canonical.
enum ResponsesResponseDecoder {
    static func decode(_ body: JSON) throws(GatewayError) -> ChatResponse {
        guard body.object != nil else {
            throw GatewayError(status: 502, kind: .apiError, message: "Responses answer is not a JSON object")
        }
        if body["status"]?.string == "failed", let e = body["error"], !e.isNull {
            throw GatewayError(status: 502, kind: .apiError, message: e["message"]?.string ?? e.jsonString, code: e["code"]?.string)
        }
        var r = ChatResponse(id: body["id"]?.string ?? "", model: body["model"]?.string ?? "",
                             created: body["created_at"]?.int ?? 0)
        var calls = 0
        for item in body["output"]?.array ?? [] {
            switch item["type"]?.string {
            case "message":
                for c in item["content"]?.array ?? [] {
                    if let t = c["text"]?.string ?? c["refusal"]?.string { r.content.append(.text(t)) }
                }
            case "function_call":
                guard let id = item["call_id"]?.string, let name = item["name"]?.string else { continue }
                r.content.append(.toolUse(id: id, name: name, input: ResponsesToolArguments.parse(item["arguments"]?.string ?? "")))
                calls += 1
            case "reasoning":
                r.content.append(RedactedThinkingMark.part(summary: summary(item), encrypted: item["encrypted_content"]?.string))
            default:
                continue  // hosted tool calls (web_search_call, …): no canonical form
            }
        }
        r.stopReason = ResponsesStatus.decode(body, hasFunctionCall: calls > 0)
        if let u = body["usage"], !u.isNull { r.usage = ResponsesUsage.decode(u) }
        return r
    }

    /// Summary parts joined; models that return raw reasoning text put it in `content`.
    static func summary(_ item: JSON) -> String {
        var s = ""
        for part in (item["summary"]?.array ?? []) + (item["content"]?.array ?? []) {
            if let t = part["text"]?.string { s += s.isEmpty ? t : "\n\n" + t }
        }
        return s
    }
}
