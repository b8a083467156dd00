import TollgateJSON

/// An Ollama `/api/chat` body → `ChatRequest`.
enum OllamaRequestDecoder {
    static func decode(_ body: JSON) throws(GatewayError) -> ChatRequest {
        guard let o = body.object else { throw .badRequest("request body must be a JSON object") }
        guard let model = o["model"]?.string, !model.isEmpty else {
            throw .badRequest("`model` is required", param: "model")
        }
        guard let messages = o["messages"]?.array else {
            throw .badRequest("`messages` is required and must be an array", param: "messages")
        }
        var req = ChatRequest(model: model)
        req.stream = o["stream"]?.bool ?? true  // Ollama streams unless told not to
        var calls = ToolCallLedger()
        for (i, m) in messages.enumerated() {
            try decodeMessage(m, at: i, into: &req, calls: &calls)
        }
        for (i, t) in (o["tools"]?.array ?? []).enumerated() {
            let f = t["function"] ?? t
            guard let name = f["name"]?.string else {
                throw .badRequest("a tool needs function.name", param: "tools[\(i)].function.name")
            }
            req.tools.append(Tool(name: name, description: f["description"]?.string,
                                  parameters: f["parameters"] ?? ["type": "object", "properties": [:]]))
        }
        if let opts = o["options"] { try decodeOptions(opts, into: &req) }
        switch o["format"] {
        case .string("json")?: req.responseFormat = ["type": "json_object"]
        case .object(let schema)?: req.responseFormat = ["type": "json_schema", "json_schema": ["name": "response", "schema": .object(schema)]]
        default: break
        }
        switch o["think"] {
        case .bool(true)?: req.reasoning = Reasoning()
        case .bool(false)?: req.extra["think"] = false  // "don't think" has no canonical form
        case .string(let level)?: req.reasoning = Reasoning(effort: level)
        default: break
        }
        if let v = o["keep_alive"] { req.extra["keep_alive"] = v }
        return req
    }

    static func decodeMessage(_ m: JSON, at i: Int, into req: inout ChatRequest, calls: inout ToolCallLedger) throws(GatewayError) {
        guard let role = m["role"]?.string else { throw .badRequest("a message needs a role", param: "messages[\(i)].role") }
        let text = m["content"]?.string ?? ""
        switch role {
        case "system":
            req.system.append(.text(text))
        case "user":
            var parts: [ContentPart] = []
            for (j, img) in (m["images"]?.array ?? []).enumerated() {
                guard let data = img.string else {
                    throw .badRequest("images must be base64 strings", param: "messages[\(i)].images[\(j)]")
                }
                parts.append(.image(.base64(mediaType: OllamaImages.mediaType(ofBase64: data), data: data)))
            }
            if !text.isEmpty { parts.append(.text(text)) }
            req.messages.append(Message(role: .user, content: parts))
        case "assistant":
            var parts: [ContentPart] = []
            if let t = m["thinking"]?.string, !t.isEmpty { parts.append(.thinking(text: t, signature: nil)) }
            if !text.isEmpty { parts.append(.text(text)) }
            for (j, c) in (m["tool_calls"]?.array ?? []).enumerated() {
                guard let name = c["function"]?["name"]?.string else {
                    throw .badRequest("a tool call needs function.name", param: "messages[\(i)].tool_calls[\(j)].function.name")
                }
                let id = calls.call(name: name, id: c["id"]?.string ?? calls.nextID)
                parts.append(.toolUse(id: id, name: name, input: c["function"]?["arguments"] ?? [:]))
            }
            req.messages.append(Message(role: .assistant, content: parts))
        case "tool":
            let id = calls.result(name: m["tool_name"]?.string ?? m["name"]?.string, id: m["tool_call_id"]?.string)
            let result = ContentPart.toolResult(toolUseId: id, content: [.text(text)], isError: false)
            // Consecutive tool messages answer one assistant turn: one canonical user turn.
            if let last = req.messages.last, last.role == .user, case .toolResult? = last.content.last {
                req.messages[req.messages.count - 1].content.append(result)
            } else {
                req.messages.append(Message(role: .user, content: [result]))
            }
        default:
            throw .badRequest("unknown role '\(role)'", param: "messages[\(i)].role")
        }
    }

    static func decodeOptions(_ opts: JSON, into req: inout ChatRequest) throws(GatewayError) {
        guard let o = opts.object else { throw .badRequest("options must be an object", param: "options") }
        var rest = JSONObject()
        for (k, v) in o {
            switch k {
            case "temperature": req.temperature = v.double
            case "top_p": req.topP = v.double
            case "top_k": req.topK = v.int
            case "num_predict": req.maxTokens = v.int.flatMap { $0 > 0 ? $0 : nil }  // -1, -2: no limit
            case "stop": req.stop = v.array?.compactMap(\.string) ?? v.string.map { [$0] } ?? []
            default: rest.append(k, v)  // num_ctx, seed, repeat_penalty, …
            }
        }
        if !rest.isEmpty { req.extra["options"] = .object(rest) }
    }
}
