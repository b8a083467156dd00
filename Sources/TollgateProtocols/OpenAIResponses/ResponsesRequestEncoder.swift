import TollgateJSON

/// `ChatRequest` → a `/v1/responses` body, for an upstream that speaks Responses (OpenAI).
enum ResponsesRequestEncoder {
    static func encode(_ r: ChatRequest) -> JSON {
        var o: JSONObject = ["model": .string(r.model)]
        var system = ""
        for case .text(let t) in r.system { system += system.isEmpty ? t : "\n\n" + t }
        if !system.isEmpty { o.append("instructions", .string(system)) }
        o.append("input", .array(input(r.messages)))
        if let v = r.maxTokens { o.append("max_output_tokens", JSON(v)) }
        if let v = r.temperature { o.append("temperature", .double(v)) }
        if let v = r.topP { o.append("top_p", .double(v)) }
        if !r.tools.isEmpty { o.append("tools", .array(r.tools.map(tool))) }
        if let c = r.toolChoice { o.append("tool_choice", toolChoice(c)) }
        if let v = r.parallelToolCalls { o.append("parallel_tool_calls", .bool(v)) }
        o.append("stream", .bool(r.stream))
        if let reasoning = reasoning(r) { o.append("reasoning", reasoning) }
        var text = r.extra["text"]?.object ?? JSONObject()
        if let f = r.responseFormat.flatMap(format) { text["format"] = f }
        if !text.isEmpty { o.append("text", .object(text)) }
        if let u = r.user { o.append("user", .string(u)) }
        for (k, v) in r.extra where ResponsesRequestDecoder.passthroughKeys.contains(k) { o.append(k, v) }
        return .object(o)
    }

    static func input(_ messages: [Message]) -> [JSON] {
        var out: [JSON] = []
        out.reserveCapacity(messages.count)
        for m in messages {
            // Runs of text and images become one message item; calls and results are items of
            // their own, in the order they came.
            var parts: [JSON] = []
            func flush() {
                guard !parts.isEmpty else { return }
                if m.role == .assistant {
                    out.append(["role": "assistant", "content": .array(parts)])
                } else {
                    out.append(["role": "user", "content": .array(parts)])
                }
                parts.removeAll()
            }
            for p in m.content {
                switch p {
                case .text(let t):
                    parts.append(["type": m.role == .assistant ? "output_text" : "input_text", "text": .string(t)])
                case .image(let src):
                    parts.append(["type": "input_image", "image_url": .string(src.asURL)])
                case .file(let mediaType, let data, let filename):
                    parts.append(["type": "input_file", "filename": .string(filename ?? "document"),
                                  "file_data": .string("data:\(mediaType);base64,\(data)")])
                case .toolUse(let id, let name, let input):
                    flush()
                    out.append(["type": "function_call", "call_id": .string(id), "name": .string(name),
                                "arguments": .string(ResponsesToolArguments.text(input))])
                case .toolResult(let id, let content, _):
                    flush()
                    out.append(["type": "function_call_output", "call_id": .string(id), "output": .string(text(content))])
                case .thinking, .redactedThinking, .cacheBreakpoint:
                    // OpenAI accepts back only its own reasoning items (with their rs_ ids);
                    // another provider's thinking cannot be replayed.
                    continue
                }
            }
            flush()
        }
        return out
    }

    /// Responses has no error flag on outputs; the text says what happened.
    static func text(_ parts: [ContentPart]) -> String {
        var s = ""
        for case .text(let t) in parts { s += t }
        return s
    }

    static func tool(_ t: Tool) -> JSON {
        if t.hosted == .webSearch { return ["type": "web_search"] }
        var o: JSONObject = ["type": "function", "name": .string(t.name)]
        if let d = t.description { o.append("description", .string(d)) }
        o.append("parameters", t.parameters)
        return .object(o)
    }

    static func toolChoice(_ c: ToolChoice) -> JSON {
        switch c {
        case .auto: return "auto"
        case .none: return "none"
        case .required: return "required"
        case .tool(let name): return ["type": "function", "name": .string(name)]
        }
    }

    /// A thinking budget has no Responses field; it picks the nearest effort.
    static func reasoning(_ r: ChatRequest) -> JSON? {
        var o = r.extra["reasoning"]?.object ?? JSONObject()
        if let e = r.reasoning?.effort {
            o["effort"] = .string(e)
        } else if let b = r.reasoning?.budgetTokens, b > 0 {
            o["effort"] = .string(b <= 2048 ? "low" : b <= 16384 ? "medium" : "high")
        }
        // A client that asked for thinking (Anthropic, Gemini) expects its text back: the
        // Responses API returns reasoning only as a summary, and only when asked.
        if r.reasoning != nil, o["effort"] != nil, o["summary"] == nil { o["summary"] = "auto" }
        return o.isEmpty ? nil : .object(o)
    }

    /// The Chat Completions `response_format` (canonical) → Responses `text.format`.
    static func format(_ f: JSON) -> JSON? {
        switch f["type"]?.string {
        case "json_schema":
            var o: JSONObject = ["type": "json_schema"]
            o.append("name", f["json_schema"]?["name"] ?? "response")
            for (k, v) in f["json_schema"]?.object ?? JSONObject() where k != "name" { o.append(k, v) }
            return .object(o)
        case "json_object": return ["type": "json_object"]
        case "text": return ["type": "text"]
        default: return nil
        }
    }
}
