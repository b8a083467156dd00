import TollgateJSON

/// An OpenAI Chat Completions request body → canonical. `system`/`developer` messages become
/// `system`; `tool` messages become tool-result parts of a user turn, and user text that follows
/// them joins that turn, so the canonical conversation alternates the way Anthropic needs.
enum OpenAIChatRequestDecoder {
    /// Fields with a canonical meaning; everything else goes to `ChatRequest.extra`.
    static let knownFields: Set<String> = [
        "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "top_k",
        "stop", "stream", "stream_options", "user", "tools", "tool_choice", "parallel_tool_calls",
        "reasoning_effort", "response_format", "thinking",
    ]

    static func decode(_ body: JSON) throws(GatewayError) -> ChatRequest {
        guard let root = body.object else { throw GatewayError.badRequest("The request body must be a JSON object.") }
        typealias F = OpenAIChatField
        var r = ChatRequest(model: try F.requiredString(root["model"], "model"))
        guard let messages = try F.array(root["messages"], "messages") else { throw F.missing("messages") }
        try decodeMessages(messages, into: &r)

        // `max_completion_tokens` is the current name; `max_tokens` the deprecated one.
        let maxTokens = try F.int(root["max_tokens"], "max_tokens")
        r.maxTokens = try F.int(root["max_completion_tokens"], "max_completion_tokens") ?? maxTokens
        r.temperature = try F.double(root["temperature"], "temperature")
        r.topP = try F.double(root["top_p"], "top_p")
        r.topK = try F.int(root["top_k"], "top_k")  // not OpenAI's, but vLLM and others take it
        r.stop = try decodeStop(root["stop"])
        r.stream = try F.bool(root["stream"], "stream") ?? false
        if let options = try F.object(root["stream_options"], "stream_options") {
            r.includeUsageInStream = try F.bool(options["include_usage"], "stream_options.include_usage") ?? false
        }
        r.user = try F.string(root["user"], "user")
        if let tools = try F.array(root["tools"], "tools") {
            r.tools = try tools.enumerated().map { (i, t) throws(GatewayError) in try decodeTool(t, "tools[\(i)]") }
        }
        r.toolChoice = try decodeToolChoice(root["tool_choice"])
        r.parallelToolCalls = try F.bool(root["parallel_tool_calls"], "parallel_tool_calls")
        r.reasoning = try decodeReasoning(root)
        if let format = root["response_format"], !format.isNull { r.responseFormat = format }
        for (key, value) in root where !knownFields.contains(key) { r.extra.append(key, value) }
        return r
    }

    // MARK: Messages

    static func decodeMessages(_ messages: [JSON], into r: inout ChatRequest) throws(GatewayError) {
        typealias F = OpenAIChatField
        // Whether the last canonical message is a user turn opened by `tool` messages, which
        // later tool results and user content join.
        var inToolTurn = false
        for (i, m) in messages.enumerated() {
            let path = "messages[\(i)]"
            guard let msg = m.object else { throw F.invalid(path, expected: "an object") }
            let role = try F.requiredString(msg["role"], "\(path).role")
            switch role {
            case "system", "developer":
                r.system += try textParts(msg["content"], "\(path).content")
                try cacheBreakpoint(m, path, into: &r.system)
            case "user":
                var parts = try userParts(msg["content"], "\(path).content")
                try cacheBreakpoint(m, path, into: &parts)
                if inToolTurn, let last = r.messages.indices.last {
                    r.messages[last].content += parts
                } else {
                    r.messages.append(Message(role: .user, content: parts))
                }
                inToolTurn = false
            case "assistant":
                r.messages.append(Message(role: .assistant, content: try assistantParts(msg, path)))
                inToolTurn = false
            case "tool":
                let id = try F.requiredString(msg["tool_call_id"], "\(path).tool_call_id")
                let result = ContentPart.toolResult(
                    toolUseId: id, content: try textParts(msg["content"], "\(path).content"), isError: false)
                if inToolTurn, let last = r.messages.indices.last {
                    r.messages[last].content.append(result)
                } else {
                    r.messages.append(Message(role: .user, content: [result]))
                    inToolTurn = true
                }
            default:
                throw F.invalidValue(
                    "\(path).role", "'\(role)' is not supported; expected system, developer, user, assistant or tool.")
            }
        }
    }

    /// Content that may only hold text: a string, or an array of `text` (and, for assistants,
    /// `refusal`) parts.
    static func textParts(_ content: JSON?, _ path: String) throws(GatewayError) -> [ContentPart] {
        typealias F = OpenAIChatField
        guard let content, !content.isNull else { return [] }
        if let s = content.string { return [.text(s)] }
        guard let parts = content.array else { throw F.invalid(path, expected: "a string or an array of content parts") }
        var out: [ContentPart] = []
        for (k, p) in parts.enumerated() {
            let pp = "\(path)[\(k)]"
            let type = try F.requiredString(p["type"], "\(pp).type")
            switch type {
            case "text": out.append(.text(try F.requiredString(p["text"], "\(pp).text")))
            case "refusal": out.append(.text(try F.requiredString(p["refusal"], "\(pp).refusal")))
            default: throw untranslatable(type, pp)
            }
            try cacheBreakpoint(p, pp, into: &out)
        }
        return out
    }

    /// A part's (or a message's) `cache_control`, as a breakpoint after what it marks.
    static func cacheBreakpoint(_ o: JSON, _ path: String, into out: inout [ContentPart]) throws(GatewayError) {
        guard let cc = o["cache_control"], !cc.isNull else { return }
        guard cc.object != nil else { throw OpenAIChatField.invalid("\(path).cache_control", expected: "an object") }
        out.append(.cacheBreakpoint(cc))
    }

    static func userParts(_ content: JSON?, _ path: String) throws(GatewayError) -> [ContentPart] {
        typealias F = OpenAIChatField
        guard let content, !content.isNull else { throw F.missing(path) }
        if let s = content.string { return [.text(s)] }
        guard let parts = content.array else { throw F.invalid(path, expected: "a string or an array of content parts") }
        var out: [ContentPart] = []
        out.reserveCapacity(parts.count)
        for (k, p) in parts.enumerated() {
            let pp = "\(path)[\(k)]"
            let type = try F.requiredString(p["type"], "\(pp).type")
            switch type {
            case "text":
                out.append(.text(try F.requiredString(p["text"], "\(pp).text")))
            case "image_url":
                // The documented shape is {"url": …, "detail": …}; a bare string is accepted too.
                let image = p["image_url"]
                var url = image?.string ?? ""
                if image?.string == nil { url = try F.requiredString(image?["url"], "\(pp).image_url.url") }
                out.append(.image(ImageSource.fromURL(url)))
            case "file":
                let f = p["file"]
                guard let dataURL = try F.string(f?["file_data"], "\(pp).file.file_data"),
                      let part = ContentPart.file(dataURL: dataURL, filename: try F.string(f?["filename"], "\(pp).file.filename")) else {
                    throw OpenAIChatField.invalidValue(
                        "\(pp).file", "a file by file_id cannot be translated for this provider; send file_data as a base64 data URL.")
                }
                out.append(part)
            default:
                throw untranslatable(type, pp)
            }
            try cacheBreakpoint(p, pp, into: &out)
        }
        return out
    }

    /// Audio and file parts have no canonical form: refusing is better than silently sending a
    /// conversation without them.
    static func untranslatable(_ type: String, _ path: String) -> GatewayError {
        OpenAIChatField.invalidValue("\(path).type", "content part type '\(type)' cannot be translated for this provider.")
    }

    static func assistantParts(_ msg: JSONObject, _ path: String) throws(GatewayError) -> [ContentPart] {
        typealias F = OpenAIChatField
        var parts: [ContentPart] = []
        // Reasoning sent back by the client leads the turn, as thinking does: LiteLLM's
        // `thinking_blocks` (signed, as Anthropic needs them back), else DeepSeek-style
        // `reasoning_content` (unsigned: kept for providers that take plain reasoning).
        if let blocks = try F.array(msg["thinking_blocks"], "\(path).thinking_blocks"), !blocks.isEmpty {
            for (k, b) in blocks.enumerated() {
                let bp = "\(path).thinking_blocks[\(k)]"
                switch try F.string(b["type"], "\(bp).type") {
                case "redacted_thinking":
                    parts.append(.redactedThinking(data: try F.requiredString(b["data"], "\(bp).data")))
                default:
                    parts.append(.thinking(
                        text: try F.string(b["thinking"], "\(bp).thinking") ?? "",
                        signature: try F.string(b["signature"], "\(bp).signature")))
                }
            }
        } else if let reasoning = try F.string(msg["reasoning_content"], "\(path).reasoning_content"), !reasoning.isEmpty {
            parts.append(.thinking(text: reasoning, signature: nil))
        }
        parts += try textParts(msg["content"], "\(path).content")
        if let refusal = try F.string(msg["refusal"], "\(path).refusal"), !refusal.isEmpty {
            parts.append(.text(refusal))
        }
        if let calls = try F.array(msg["tool_calls"], "\(path).tool_calls") {
            for (k, c) in calls.enumerated() {
                let cp = "\(path).tool_calls[\(k)]"
                guard c.object != nil else { throw F.invalid(cp, expected: "an object") }
                let id = try F.requiredString(c["id"], "\(cp).id")
                guard let fn = try F.object(c["function"], "\(cp).function") else { throw F.missing("\(cp).function") }
                let name = try F.requiredString(fn["name"], "\(cp).function.name")
                let arguments = try F.string(fn["arguments"], "\(cp).function.arguments") ?? ""
                parts.append(.toolUse(id: id, name: name, input: parseArguments(arguments)))
            }
        }
        return parts
    }

    /// OpenAI sends tool arguments as a JSON string. Unparseable text is kept verbatim so an
    /// OpenAI upstream gets back exactly what the model wrote.
    static func parseArguments(_ text: String) -> JSON {
        if text.isEmpty { return .object(JSONObject()) }
        do { return try JSON.parse(text) } catch { return .string(text) }
    }

    // MARK: Options

    static func decodeStop(_ v: JSON?) throws(GatewayError) -> [String] {
        guard let v, !v.isNull else { return [] }
        if let s = v.string { return [s] }
        guard let a = v.array else { throw OpenAIChatField.invalid("stop", expected: "a string or an array of strings") }
        var out: [String] = []
        for (i, s) in a.enumerated() {
            guard let s = s.string else { throw OpenAIChatField.invalid("stop[\(i)]", expected: "a string") }
            out.append(s)
        }
        return out
    }

    static func decodeTool(_ t: JSON, _ path: String) throws(GatewayError) -> Tool {
        typealias F = OpenAIChatField
        guard t.object != nil else { throw F.invalid(path, expected: "an object") }
        let type = try F.string(t["type"], "\(path).type") ?? "function"
        guard type == "function" else {
            throw F.invalidValue("\(path).type", "tool type '\(type)' cannot be translated for this provider.")
        }
        guard let fn = try F.object(t["function"], "\(path).function") else { throw F.missing("\(path).function") }
        var tool = Tool(
            name: try F.requiredString(fn["name"], "\(path).function.name"),
            description: try F.string(fn["description"], "\(path).function.description"))
        if let cc = t["cache_control"], !cc.isNull {
            guard cc.object != nil else { throw F.invalid("\(path).cache_control", expected: "an object") }
            tool.cacheControl = cc
        }
        if let params = fn["parameters"], !params.isNull {
            guard params.object != nil else { throw F.invalid("\(path).function.parameters", expected: "an object") }
            tool.parameters = params
        }
        return tool
    }

    static func decodeToolChoice(_ v: JSON?) throws(GatewayError) -> ToolChoice? {
        typealias F = OpenAIChatField
        guard let v, !v.isNull else { return nil }
        if let s = v.string {
            switch s {
            case "auto": return .auto
            case "none": return ToolChoice.none
            case "required": return .required
            default: throw F.invalidValue("tool_choice", "expected 'auto', 'none', 'required' or an object.")
            }
        }
        guard v.object != nil else { throw F.invalid("tool_choice", expected: "a string or an object") }
        let type = try F.string(v["type"], "tool_choice.type") ?? "function"
        guard type == "function" else {
            throw F.invalidValue("tool_choice.type", "tool choice type '\(type)' cannot be translated for this provider.")
        }
        return .tool(name: try F.requiredString(v["function"]?["name"], "tool_choice.function.name"))
    }

    /// `reasoning_effort`, or the Anthropic-style `thinking` object LiteLLM also accepts on its
    /// OpenAI surface.
    static func decodeReasoning(_ root: JSONObject) throws(GatewayError) -> Reasoning? {
        typealias F = OpenAIChatField
        if let effort = try F.string(root["reasoning_effort"], "reasoning_effort") {
            return Reasoning(effort: effort)  // "none" included: it is meaningful to OpenAI upstreams
        }
        if let thinking = try F.object(root["thinking"], "thinking"), thinking["type"]?.string == "enabled" {
            return Reasoning(budgetTokens: try F.int(thinking["budget_tokens"], "thinking.budget_tokens"))
        }
        return nil
    }
}
