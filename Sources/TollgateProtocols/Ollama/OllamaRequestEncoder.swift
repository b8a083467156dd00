import TollgateJSON

/// `ChatRequest` → an Ollama `/api/chat` body.
enum OllamaRequestEncoder {
    static func encode(_ r: ChatRequest) -> JSON {
        var o: JSONObject = ["model": .string(r.model), "messages": .array(messages(r))]
        o.append("stream", .bool(r.stream))  // always explicit: Ollama's default is to stream
        // Ollama has no tool_choice: "none" is expressed by sending no tools, a named tool by
        // sending only that one; "required" cannot be forced.
        var tools = r.tools
        switch r.toolChoice {
        case .none?: tools = []
        case .tool(let name)?: tools = tools.filter { $0.name == name }
        default: break
        }
        if !tools.isEmpty { o.append("tools", .array(tools.map(tool))) }
        if let f = r.responseFormat?.object {
            switch f["type"]?.string {
            case "json_schema": o.append("format", f["json_schema"]?["schema"] ?? "json")
            case "json_object": o.append("format", "json")
            default: break
            }
        }
        var opts = r.extra["options"]?.object ?? JSONObject()
        if let v = r.temperature { opts["temperature"] = .double(v) }
        if let v = r.topP { opts["top_p"] = .double(v) }
        if let v = r.topK { opts["top_k"] = JSON(v) }
        if let v = r.maxTokens { opts["num_predict"] = JSON(v) }
        if !r.stop.isEmpty { opts["stop"] = .array(r.stop.map(JSON.string)) }
        if !opts.isEmpty { o.append("options", .object(opts)) }
        if let reasoning = r.reasoning {
            // Levels are understood by models that have them (gpt-oss); a budget has no Ollama
            // form beyond on/off.
            o.append("think", reasoning.budgetTokens == 0 ? false : reasoning.effort.map(JSON.string) ?? true)
        } else if let think = r.extra["think"] {
            o.append("think", think)
        }
        if let v = r.extra["keep_alive"] { o.append("keep_alive", v) }
        return .object(o)
    }

    static func tool(_ t: Tool) -> JSON {
        var f: JSONObject = ["name": .string(t.name)]
        if let d = t.description { f.append("description", .string(d)) }
        f.append("parameters", t.parameters)
        return ["type": "function", "function": .object(f)]
    }

    static func messages(_ r: ChatRequest) -> [JSON] {
        var out: [JSON] = []
        out.reserveCapacity(r.messages.count + 1)
        let system = texts(r.system)
        if !system.isEmpty { out.append(["role": "system", "content": .string(system)]) }
        var names: [String: String] = [:]  // tool call id → function name, nearest call wins
        for m in r.messages {
            var text = ""
            var thinking = ""
            var images: [JSON] = []
            var calls: [JSON] = []
            for p in m.content {
                switch p {
                case .text(let t): text += text.isEmpty ? t : "\n" + t
                case .image(.base64(_, let data)): images.append(.string(data))
                case .image(.url): continue  // Ollama takes only inline images; dropped (documented)
                case .thinking(let t, _): thinking += t
                // Ollama takes images only: a file has no place (documented).
                case .redactedThinking, .cacheBreakpoint, .file: continue
                case .toolUse(let id, let name, let input):
                    names[id] = name
                    calls.append(["function": ["name": .string(name), "arguments": arguments(input)]])
                case .toolResult(let id, let content, _):
                    // Ollama has no error flag on results; the text says what happened.
                    out.append(["role": "tool", "content": .string(texts(content)), "tool_name": .string(names[id] ?? id)])
                }
            }
            guard !text.isEmpty || !images.isEmpty || !calls.isEmpty || !thinking.isEmpty else { continue }
            var msg: JSONObject = ["role": m.role == .assistant ? "assistant" : "user", "content": .string(text)]
            if !thinking.isEmpty { msg.append("thinking", .string(thinking)) }
            if !images.isEmpty { msg.append("images", .array(images)) }
            if !calls.isEmpty { msg.append("tool_calls", .array(calls)) }
            out.append(.object(msg))
        }
        return out
    }

    static func texts(_ parts: [ContentPart]) -> String {
        var s = ""
        for case .text(let t) in parts { s += s.isEmpty ? t : "\n" + t }
        return s
    }

    /// Ollama wants arguments as an object; raw text from a client is parsed if it can be.
    static func arguments(_ input: JSON) -> JSON {
        guard case .string(let raw) = input else { return input }
        if let parsed = try? JSON.parse(raw), parsed.object != nil { return parsed }
        return [:]
    }
}
