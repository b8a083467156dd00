import TollgateJSON

/// A `/v1/responses` body → `ChatRequest`. Conversation state held by OpenAI
/// (`previous_response_id`, `conversation`, `item_reference`) cannot be read by another
/// provider: those fields are kept in `extra` for an OpenAI upstream only, and the gateway
/// keeps no state of its own.
enum ResponsesRequestDecoder {
    /// Fields with no canonical meaning that an OpenAI Responses upstream understands.
    static let passthroughKeys: Set<String> = [
        "previous_response_id", "store", "metadata", "truncation", "include", "service_tier", "background",
        "prompt_cache_key", "safety_identifier", "max_tool_calls", "top_logprobs", "prompt", "conversation",
    ]

    static func decode(_ body: JSON) throws(GatewayError) -> ChatRequest {
        guard let o = body.object else { throw .badRequest("request body must be a JSON object") }
        guard let model = o["model"]?.string, !model.isEmpty else { throw .badRequest("`model` is required", param: "model") }
        var req = ChatRequest(model: model)
        if let instructions = o["instructions"]?.string { req.system.append(.text(instructions)) }
        switch o["input"] {
        case .string(let s)?: req.messages.append(Message(role: .user, content: [.text(s)]))
        case .array(let items)?:
            for (i, item) in items.enumerated() { try decodeItem(item, param: "input[\(i)]", into: &req) }
        case nil where o["previous_response_id"] != nil || o["conversation"] != nil: break
        default: throw .badRequest("`input` must be a string or an array of items", param: "input")
        }
        req.maxTokens = o["max_output_tokens"]?.int
        req.temperature = o["temperature"]?.double
        req.topP = o["top_p"]?.double
        req.stream = o["stream"]?.bool ?? false
        req.user = o["user"]?.string
        req.parallelToolCalls = o["parallel_tool_calls"]?.bool
        for (i, t) in (o["tools"]?.array ?? []).enumerated() { req.tools.append(try tool(t, param: "tools[\(i)]")) }
        if let c = o["tool_choice"] { req.toolChoice = try toolChoice(c) }
        if let r = o["reasoning"]?.object {
            req.reasoning = Reasoning(effort: r["effort"]?.string)
            if r.count > 1 || r["effort"] == nil { req.extra["reasoning"] = .object(r) }  // summary, generate_summary
        }
        if let text = o["text"]?.object {
            req.responseFormat = text["format"].flatMap(responseFormat)
            var rest = text
            rest.removeValue(forKey: "format")
            if !rest.isEmpty { req.extra["text"] = .object(rest) }  // verbosity
        }
        for (k, v) in o where passthroughKeys.contains(k) { req.extra[k] = v }
        return req
    }

    static func decodeItem(_ item: JSON, param: String, into req: inout ChatRequest) throws(GatewayError) {
        guard let o = item.object else { throw .badRequest("an input item must be an object", param: param) }
        switch o["type"]?.string ?? "message" {
        case "message":
            let role = o["role"]?.string ?? ""
            let parts = try content(o["content"], param: param + ".content")
            switch role {
            case "system", "developer": req.system.append(contentsOf: parts)
            case "user": append(.user, parts, to: &req)
            case "assistant": append(.assistant, parts, to: &req)
            default: throw .badRequest("unknown role '\(role)'", param: param + ".role")
            }
        case "function_call":
            guard let callID = o["call_id"]?.string, let name = o["name"]?.string else {
                throw .badRequest("function_call needs call_id and name", param: param)
            }
            let args = ResponsesToolArguments.parse(o["arguments"]?.string ?? "")
            append(.assistant, [.toolUse(id: callID, name: name, input: args)], to: &req)
        case "function_call_output":
            guard let callID = o["call_id"]?.string else { throw .badRequest("function_call_output needs call_id", param: param + ".call_id") }
            let out: [ContentPart]
            switch o["output"] {
            case .string(let s)?: out = [.text(s)]
            case .array?: out = try content(o["output"], param: param + ".output")
            default: throw .badRequest("function_call_output needs output", param: param + ".output")
            }
            append(.user, [.toolResult(toolUseId: callID, content: out, isError: false)], to: &req)
        case "reasoning":
            var summary = ""
            for case .object(let s) in o["summary"]?.array ?? [] {
                if let t = s["text"]?.string { summary += summary.isEmpty ? t : "\n\n" + t }
            }
            append(.assistant, [RedactedThinkingMark.part(summary: summary, encrypted: o["encrypted_content"]?.string)], to: &req)
        case let t:
            // item_reference, hosted tool calls: they name state or tools only OpenAI has.
            throw .badRequest("input item type '\(t)' cannot be translated to another provider", param: param + ".type")
        }
    }

    /// Consecutive items of one role form one canonical turn (a function_call after the
    /// assistant's text, several function_call_outputs).
    static func append(_ role: Role, _ parts: [ContentPart], to req: inout ChatRequest) {
        if let last = req.messages.indices.last, req.messages[last].role == role {
            req.messages[last].content.append(contentsOf: parts)
        } else {
            req.messages.append(Message(role: role, content: parts))
        }
    }

    static func content(_ c: JSON?, param: String) throws(GatewayError) -> [ContentPart] {
        switch c {
        case .string(let s)?: return [.text(s)]
        case .array(let parts)?:
            var out: [ContentPart] = []
            for (j, p) in parts.enumerated() {
                let pp = "\(param)[\(j)]"
                switch p["type"]?.string {
                case "input_text", "output_text", "text", "summary_text":
                    out.append(.text(p["text"]?.string ?? ""))
                case "refusal":
                    out.append(.text(p["refusal"]?.string ?? ""))
                case "input_image":
                    guard let url = p["image_url"]?.string else {
                        throw .badRequest("input_image by file_id cannot be translated; send image_url", param: pp + ".image_url")
                    }
                    out.append(.image(.fromURL(url)))
                case "input_file":
                    guard let dataURL = p["file_data"]?.string,
                          let part = ContentPart.file(dataURL: dataURL, filename: p["filename"]?.string) else {
                        throw .badRequest("input_file by file_id or file_url cannot be translated; send file_data", param: pp + ".type")
                    }
                    out.append(part)
                case let t:
                    throw .badRequest("content type '\(t ?? "none")' cannot be translated to another provider", param: pp + ".type")
                }
            }
            return out
        default:
            throw .badRequest("content must be a string or an array", param: param)
        }
    }

    static func tool(_ t: JSON, param: String) throws(GatewayError) -> Tool {
        let type = t["type"]?.string ?? "none"
        if type == "web_search" || type.hasPrefix("web_search_preview") { return Tool(name: "web_search", hosted: .webSearch) }
        guard type == "function" else {
            throw .badRequest("tool type '\(type)' has no equivalent on another provider (function tools and web_search translate)", param: param + ".type")
        }
        guard let name = t["name"]?.string else { throw .badRequest("a function tool needs a name", param: param + ".name") }
        return Tool(name: name, description: t["description"]?.string, parameters: t["parameters"] ?? ["type": "object", "properties": [:]])
    }

    static func toolChoice(_ c: JSON) throws(GatewayError) -> ToolChoice {
        switch c {
        case .string("auto"): return .auto
        case .string("none"): return .none
        case .string("required"): return .required
        case .object(let o) where o["type"]?.string == "function":
            guard let name = o["name"]?.string else { throw .badRequest("tool_choice needs a name", param: "tool_choice.name") }
            return .tool(name: name)
        default:
            throw .badRequest("tool_choice must be auto, none, required or a function", param: "tool_choice")
        }
    }

    /// `text.format` → the Chat Completions `response_format` shape the canonical model uses.
    static func responseFormat(_ f: JSON) -> JSON? {
        switch f["type"]?.string {
        case "json_schema":
            var s = JSONObject()
            for k in ["name", "description", "schema", "strict"] { if let v = f[k] { s.append(k, v) } }
            return ["type": "json_schema", "json_schema": .object(s)]
        case "json_object": return ["type": "json_object"]
        default: return nil
        }
    }
}
