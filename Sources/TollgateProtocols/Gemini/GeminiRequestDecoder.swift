import TollgateJSON

/// A `generateContent` body → `ChatRequest`. The model is in the URL, not the body, so `model`
/// is left empty for the core to fill from the path; `stream` likewise comes from the method
/// (`:streamGenerateContent`), so the core sets it.
enum GeminiRequestDecoder {
    /// Top-level fields kept in `extra` so a Gemini upstream gets them back (see GeminiRequestEncoder).
    static let passthroughKeys: Set<String> = ["safetySettings", "cachedContent", "labels"]

    static func decode(_ body: JSON) throws(GatewayError) -> ChatRequest {
        guard let o = body.object else { throw .badRequest("request body must be a JSON object") }
        var req = ChatRequest(model: "")
        guard let contents = o["contents"]?.array else {
            throw .badRequest("`contents` is required and must be an array", param: "contents")
        }
        if let si = o.gemini("systemInstruction", "system_instruction") {
            for (j, p) in (si["parts"]?.array ?? []).enumerated() {
                guard let t = p["text"]?.string else {
                    throw .badRequest("systemInstruction parts must be text", param: "systemInstruction.parts[\(j)]")
                }
                req.system.append(.text(t))
            }
        }
        var calls = ToolCallLedger()
        for (i, c) in contents.enumerated() {
            if let m = try decodeContent(c, at: i, calls: &calls) { req.messages.append(m) }
        }
        try decodeTools(o, into: &req)
        if let gc = o.gemini("generationConfig", "generation_config") {
            try decodeGenerationConfig(gc, into: &req)
        }
        for (k, v) in o where passthroughKeys.contains(k) { req.extra[k] = v }
        if let v = o["safety_settings"] { req.extra["safetySettings"] = v }
        if let v = o["cached_content"] { req.extra["cachedContent"] = v }
        return req
    }

    static func decodeContent(_ c: JSON, at i: Int, calls: inout ToolCallLedger) throws(GatewayError) -> Message? {
        guard let co = c.object else { throw .badRequest("contents[\(i)] must be an object", param: "contents[\(i)]") }
        let role: Role
        switch co["role"]?.string ?? "user" {
        case "model": role = .assistant
        case "user", "function", "tool": role = .user  // older SDKs send results as role "function"
        case let r: throw .badRequest("unknown role '\(r)'", param: "contents[\(i)].role")
        }
        guard let parts = co["parts"]?.array else {
            throw .badRequest("`parts` must be an array", param: "contents[\(i)].parts")
        }
        var out: [ContentPart] = []
        out.reserveCapacity(parts.count)
        for (j, p) in parts.enumerated() {
            guard let part = try decodePart(p, param: "contents[\(i)].parts[\(j)]", calls: &calls) else { continue }
            // A streamed answer's thought arrives as several thought parts, its signature on the
            // last (GeminiStreamEncoder); a client sending that history back sends them all. One
            // thought is one block with one signature: a thought part joins the unsigned thought
            // before it (a signed one is complete).
            if case .thinking(let t, let s) = part, case .thinking(let prev, nil)? = out.last {
                out[out.count - 1] = .thinking(text: prev + t, signature: s)
                continue
            }
            out.append(part)
        }
        return out.isEmpty ? nil : Message(role: role, content: out)
    }

    /// google-genai keeps a signature as bytes and sends it back URL-safe base64 encoded
    /// (pydantic's choice), so `+/` come back as `-_`. Standard base64 never holds those, and the
    /// signatures that leave this decoder go to providers that want the standard alphabet
    /// (Anthropic compares its signature byte for byte): put it back.
    static func standardBase64(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }) else { return s }
        var out = String(s.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        while out.utf8.count % 4 != 0 { out += "=" }
        return out
    }

    static func decodePart(_ p: JSON, param: String, calls: inout ToolCallLedger) throws(GatewayError) -> ContentPart? {
        guard let po = p.object else { throw .badRequest("a part must be an object", param: param) }
        let signature = po.gemini("thoughtSignature", "thought_signature")?.string.map(standardBase64)
        if let t = po["text"]?.string {
            // A signature on a plain text part is only a hint for Gemini's own next turn; no other
            // protocol can carry it, so it is dropped (function-call signatures are kept).
            return po["thought"]?.bool == true ? .thinking(text: t, signature: signature) : .text(t)
        }
        if let d = po.gemini("inlineData", "inline_data") {
            guard let mime = d.gemini("mimeType", "mime_type")?.string, let data = d["data"]?.string else {
                throw .badRequest("inlineData needs mimeType and data", param: param + ".inlineData")
            }
            if mime == "application/pdf" || mime.hasPrefix("text/") { return .file(mediaType: mime, data: data, filename: nil) }
            guard mime.hasPrefix("image/") else {
                throw .badRequest("only image, PDF and text inlineData can be translated (got \(mime))", param: param + ".inlineData.mimeType")
            }
            return .image(.base64(mediaType: mime, data: data))
        }
        if let f = po.gemini("fileData", "file_data") {
            guard let uri = f.gemini("fileUri", "file_uri")?.string else {
                throw .badRequest("fileData needs fileUri", param: param + ".fileData")
            }
            if let mime = f.gemini("mimeType", "mime_type")?.string, !mime.hasPrefix("image/") {
                throw .badRequest("only image fileData can be translated (got \(mime))", param: param + ".fileData.mimeType")
            }
            return .image(.url(uri))
        }
        if let fc = po.gemini("functionCall", "function_call") {
            guard let name = fc["name"]?.string else {
                throw .badRequest("functionCall needs a name", param: param + ".functionCall.name")
            }
            let id = calls.call(name: name, id: GeminiToolCallID.embed(fc["id"]?.string ?? calls.nextID, signature: signature))
            return .toolUse(id: id, name: name, input: fc["args"] ?? [:])
        }
        if let fr = po.gemini("functionResponse", "function_response") {
            guard let name = fr["name"]?.string else {
                throw .badRequest("functionResponse needs a name", param: param + ".functionResponse.name")
            }
            let id = calls.result(name: name, id: fr["id"]?.string)
            let (content, isError) = resultContent(fr["response"] ?? [:])
            return .toolResult(toolUseId: id, content: content, isError: isError)
        }
        let kind = po.keys.first ?? "empty"
        throw .badRequest("part type '\(kind)' cannot be translated to another provider", param: param)
    }

    /// `functionResponse.response` is any object. The wrappers other protocols' text results get
    /// (`{"content": text}`, `{"result": text}`, `{"error": text}`) unwrap to that text; any other
    /// object becomes its JSON text, which is what a tool result holds elsewhere.
    static func resultContent(_ r: JSON) -> ([ContentPart], Bool) {
        if let o = r.object, o.count == 1, let (k, v) = o.pairs.first {
            switch (k, v) {
            case ("content", .string(let s)), ("result", .string(let s)), ("output", .string(let s)): return ([.text(s)], false)
            case ("error", .string(let s)): return ([.text(s)], true)
            default: break
            }
        }
        if case .string(let s) = r { return ([.text(s)], false) }
        return ([.text(r.jsonString)], false)
    }

    static func decodeTools(_ o: JSONObject, into req: inout ChatRequest) throws(GatewayError) {
        if let tools = o["tools"]?.array {
            var builtIn: [JSON] = []
            for (i, t) in tools.enumerated() {
                guard let decls = t.gemini("functionDeclarations", "function_declarations")?.array else {
                    // Google Search has an equivalent elsewhere (Anthropic's and OpenAI's web search).
                    if t.gemini("googleSearch", "google_search") != nil {
                        req.tools.append(Tool(name: "web_search", hosted: .webSearch))
                        continue
                    }
                    // codeExecution, urlContext…: only Gemini can run them. Kept in extra so a
                    // Gemini upstream still gets them; other encoders drop them.
                    builtIn.append(t)
                    continue
                }
                for (j, d) in decls.enumerated() {
                    guard let name = d["name"]?.string else {
                        throw .badRequest("a function declaration needs a name", param: "tools[\(i)].functionDeclarations[\(j)].name")
                    }
                    let params = d.gemini("parametersJsonSchema", "parameters_json_schema")
                        ?? d["parameters"].map(GeminiSchema.toJSONSchema) ?? ["type": "object", "properties": [:]]
                    req.tools.append(Tool(name: name, description: d["description"]?.string, parameters: params))
                }
            }
            if !builtIn.isEmpty { req.extra["tools"] = .array(builtIn) }
        }
        if let fcc = o.gemini("toolConfig", "tool_config")?.gemini("functionCallingConfig", "function_calling_config") {
            let allowed = fcc.gemini("allowedFunctionNames", "allowed_function_names")?.array?.compactMap(\.string) ?? []
            switch fcc["mode"]?.string?.uppercased() {
            case "NONE": req.toolChoice = ToolChoice.none
            case "ANY": req.toolChoice = allowed.count == 1 ? .tool(name: allowed[0]) : .required
            case "AUTO", "VALIDATED": req.toolChoice = .auto
            case nil: break
            case let m?: throw .badRequest("unknown function calling mode '\(m)'", param: "toolConfig.functionCallingConfig.mode")
            }
        }
    }

    static func decodeGenerationConfig(_ gc: JSON, into req: inout ChatRequest) throws(GatewayError) {
        guard let g = gc.object else { throw .badRequest("generationConfig must be an object", param: "generationConfig") }
        var rest = JSONObject()
        var mime: String?
        var schema: JSON?
        for (k, v) in g {
            switch k {
            case "maxOutputTokens", "max_output_tokens": req.maxTokens = v.int
            case "temperature": req.temperature = v.double
            case "topP", "top_p": req.topP = v.double
            case "topK", "top_k": req.topK = v.int
            case "stopSequences", "stop_sequences": req.stop = v.array?.compactMap(\.string) ?? []
            case "responseMimeType", "response_mime_type": mime = v.string
            case "responseSchema", "response_schema": schema = GeminiSchema.toJSONSchema(v)
            case "responseJsonSchema", "response_json_schema": schema = v
            case "thinkingConfig", "thinking_config":
                let budget = v.gemini("thinkingBudget", "thinking_budget")?.int
                let level = v.gemini("thinkingLevel", "thinking_level")?.string?.lowercased()
                if budget != nil || level != nil { req.reasoning = Reasoning(budgetTokens: budget, effort: level) }
            default: rest.append(k, v)  // seed, candidateCount, penalties, modalities…
            }
        }
        if mime == "application/json" {
            if let schema {
                req.responseFormat = ["type": "json_schema", "json_schema": ["name": "response", "schema": schema]]
            } else {
                req.responseFormat = ["type": "json_object"]
            }
        } else if let mime, mime != "text/plain" {
            rest.append("responseMimeType", .string(mime))  // text/x.enum: Gemini only
            if let schema { rest.append("responseJsonSchema", schema) }
        }
        if !rest.isEmpty { req.extra["generationConfig"] = .object(rest) }
    }
}
