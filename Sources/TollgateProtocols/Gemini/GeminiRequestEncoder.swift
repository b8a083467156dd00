import TollgateJSON

/// `ChatRequest` → a `generateContent` body. The model and streaming go in the URL, so neither
/// is written here.
enum GeminiRequestEncoder {
    static func encode(_ r: ChatRequest) -> JSON {
        var o = JSONObject()
        o.append("contents", .array(contents(r.messages)))
        let system = r.system.compactMap { p -> JSON? in
            if case .text(let t) = p { return ["text": .string(t)] }
            return nil
        }
        if !system.isEmpty { o.append("systemInstruction", ["parts": .array(system)]) }

        var tools: [JSON] = []
        let functions = r.tools.filter { $0.hosted == nil }
        if !functions.isEmpty {
            tools.append(["functionDeclarations": .array(functions.map(declaration))])
        }
        if r.tools.contains(where: { $0.hosted == .webSearch }) { tools.append(["googleSearch": [:]]) }
        if let builtIn = r.extra["tools"]?.array { tools.append(contentsOf: builtIn) }
        if !tools.isEmpty { o.append("tools", .array(tools)) }
        if let choice = r.toolChoice, !r.tools.isEmpty { o.append("toolConfig", toolConfig(choice)) }

        let gc = generationConfig(r)
        if !gc.isEmpty { o.append("generationConfig", .object(gc)) }
        for k in ["safetySettings", "cachedContent", "labels"] { if let v = r.extra[k] { o.append(k, v) } }
        return .object(o)
    }

    static func contents(_ messages: [Message]) -> [JSON] {
        // Results name their function; the name comes from the call with the same id. Filled as
        // we walk, so a repeated id (call_0 in every turn) finds its nearest earlier call.
        var names: [String: String] = [:]
        var out: [JSON] = []
        out.reserveCapacity(messages.count)
        for m in messages {
            var parts: [JSON] = []
            parts.reserveCapacity(m.content.count)
            var pendingSignature: String?
            for p in m.content {
                switch p {
                case .text(let t):
                    parts.append(["text": .string(t)])
                case .image(.base64(let mime, let data)), .file(let mime, let data, _):
                    parts.append(["inlineData": ["mimeType": .string(mime), "data": .string(data)]])
                case .image(.url(let url)):
                    parts.append(["fileData": ["mimeType": .string(imageMimeType(url)), "fileUri": .string(url)]])
                case .toolUse(let id, let name, let input):
                    names[id] = name
                    parts.append(functionCall(id: id, name: name, input: input))
                case .toolResult(let id, let content, let isError):
                    parts.append(functionResponse(name: names[id] ?? id, content: content, isError: isError))
                case .thinking(_, let signature):
                    // Gemini does not read earlier thoughts; only its own signatures matter. A
                    // text-part signature (`GeminiTextSignature`) goes on the part after it (an
                    // OpenAI-chat client's stream reassembly may have joined it to the thought
                    // text before it); another provider's means nothing to Gemini.
                    if let s = signature.flatMap(GeminiTextSignature.unwrap) { pendingSignature = s }
                    continue
                case .redactedThinking, .cacheBreakpoint:
                    continue
                }
                if let s = pendingSignature, let last = parts.indices.last, parts[last]["thoughtSignature"] == nil {
                    parts[last]["thoughtSignature"] = .string(s)
                    pendingSignature = nil
                }
            }
            if parts.isEmpty { continue }  // Gemini rejects a content with no parts
            out.append(["role": m.role == .assistant ? "model" : "user", "parts": .array(parts)])
        }
        return out
    }

    static func functionCall(id: String, name: String, input: JSON) -> JSON {
        let (_, signature) = GeminiToolCallID.split(id)
        var args = input
        if case .string(let raw) = input {  // arguments a client sent as unparsable text
            args = (try? JSON.parse(raw)).flatMap { $0.object == nil ? nil : $0 } ?? [:]
        }
        var part: JSONObject = ["functionCall": ["name": .string(name), "args": args]]
        if let signature { part.append("thoughtSignature", .string(signature)) }
        return .object(part)
    }

    /// Text results go back as `{"content": text}` (`{"error": text}` when the call failed);
    /// text that is itself a JSON object is sent as that object, which is what Gemini expects a
    /// function's output to look like. Images in results have no Gemini field and are dropped.
    static func functionResponse(name: String, content: [ContentPart], isError: Bool) -> JSON {
        var text = ""
        for case .text(let t) in content { text += t }
        let response: JSON
        if isError {
            response = ["error": .string(text)]
        } else if text.first == "{", let parsed = try? JSON.parse(text), parsed.object != nil {
            response = parsed
        } else {
            response = ["content": .string(text)]
        }
        return ["functionResponse": ["name": .string(name), "response": response]]
    }

    static func declaration(_ t: Tool) -> JSON {
        var d: JSONObject = ["name": .string(t.name)]
        if let desc = t.description { d.append("description", .string(desc)) }
        if let p = GeminiSchema.parameters(t.parameters) { d.append("parameters", p) }
        return .object(d)
    }

    static func toolConfig(_ c: ToolChoice) -> JSON {
        let fcc: JSON
        switch c {
        case .auto: fcc = ["mode": "AUTO"]
        case .none: fcc = ["mode": "NONE"]
        case .required: fcc = ["mode": "ANY"]
        case .tool(let name): fcc = ["mode": "ANY", "allowedFunctionNames": [.string(name)]]
        }
        return ["functionCallingConfig": fcc]
    }

    /// OpenAI-style effort has no Gemini 2.5 field; it becomes a thinking budget.
    static let effortBudgets: [String: Int] = ["minimal": 512, "low": 1024, "medium": 8192, "high": 24576]

    static func generationConfig(_ r: ChatRequest) -> JSONObject {
        var g = r.extra["generationConfig"]?.object ?? JSONObject()
        if let v = r.maxTokens { g["maxOutputTokens"] = JSON(v) }
        if let v = r.temperature { g["temperature"] = .double(v) }
        if let v = r.topP { g["topP"] = .double(v) }
        if let v = r.topK { g["topK"] = JSON(v) }
        if !r.stop.isEmpty { g["stopSequences"] = .array(r.stop.map(JSON.string)) }
        if let f = r.responseFormat?.object {
            switch f["type"]?.string {
            case "json_schema":
                g["responseMimeType"] = "application/json"
                if let s = f["json_schema"]?["schema"] { g["responseSchema"] = GeminiSchema.fromJSONSchema(s) }
            case "json_object":
                g["responseMimeType"] = "application/json"
            default:
                break
            }
        }
        if let reasoning = r.reasoning {
            var tc = JSONObject()
            if let b = reasoning.budgetTokens ?? reasoning.effort.flatMap({ effortBudgets[$0] }) {
                tc.append("thinkingBudget", JSON(b))
            }
            // Other protocols return reasoning to the client; Gemini does only when asked.
            if reasoning.budgetTokens != 0 { tc.append("includeThoughts", true) }
            g["thinkingConfig"] = .object(tc)
        }
        return g
    }

    /// `fileData` needs a MIME type; an image URL's extension is the only hint.
    static func imageMimeType(_ url: String) -> String {
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init)?.lowercased() ?? ""
        if path.hasSuffix(".png") { return "image/png" }
        if path.hasSuffix(".gif") { return "image/gif" }
        if path.hasSuffix(".webp") { return "image/webp" }
        if path.hasSuffix(".heic") { return "image/heic" }
        return "image/jpeg"
    }
}
