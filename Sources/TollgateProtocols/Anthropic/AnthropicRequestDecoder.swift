import TollgateJSON

/// An Anthropic Messages request body → canonical. The canonical model is Anthropic-shaped, so
/// this is mostly a direct read; `metadata.user_id` becomes `user`, and the stream always
/// reports usage (Anthropic streams always do).
enum AnthropicRequestDecoder {
    /// Fields with a canonical meaning; everything else goes to `ChatRequest.extra`.
    static let knownFields: Set<String> = [
        "model", "messages", "system", "max_tokens", "temperature", "top_p", "top_k", "stop_sequences",
        "stream", "metadata", "tools", "tool_choice", "thinking",
    ]

    static func decode(_ body: JSON) throws(GatewayError) -> ChatRequest {
        typealias F = AnthropicField
        guard let root = body.object else { throw GatewayError.badRequest("The request body must be a JSON object.") }
        var r = ChatRequest(model: try F.requiredString(root["model"], "model"))
        guard let messages = try F.array(root["messages"], "messages") else { throw F.missing("messages") }
        r.messages.reserveCapacity(messages.count)
        for (i, m) in messages.enumerated() {
            let path = "messages.\(i)"
            guard m.object != nil else { throw F.invalid(path, expected: "a valid dictionary") }
            let roleName = try F.requiredString(m["role"], "\(path).role")
            guard let role = Role(rawValue: roleName) else {
                throw F.invalidValue("\(path).role", "Input should be 'user' or 'assistant'")
            }
            r.messages.append(Message(role: role, content: try AnthropicContent.decodeBlocks(m["content"], "\(path).content")))
        }
        if let system = root["system"], !system.isNull {
            r.system = try AnthropicContent.decodeBlocks(system, "system")
        }
        r.maxTokens = try F.int(root["max_tokens"], "max_tokens")
        r.temperature = try F.double(root["temperature"], "temperature")
        r.topP = try F.double(root["top_p"], "top_p")
        r.topK = try F.int(root["top_k"], "top_k")
        if let stops = try F.array(root["stop_sequences"], "stop_sequences") {
            for (i, s) in stops.enumerated() {
                guard let s = s.string else { throw F.invalid("stop_sequences.\(i)", expected: "a valid string") }
                r.stop.append(s)
            }
        }
        r.stream = try F.bool(root["stream"], "stream") ?? false
        r.includeUsageInStream = true
        if let metadata = try F.object(root["metadata"], "metadata") {
            r.user = try F.string(metadata["user_id"], "metadata.user_id")
        }
        if let tools = try F.array(root["tools"], "tools") {
            r.tools.reserveCapacity(tools.count)
            for (i, t) in tools.enumerated() { r.tools.append(try decodeTool(t, "tools.\(i)")) }
        }
        try decodeToolChoice(root["tool_choice"], into: &r)
        if let thinking = try F.object(root["thinking"], "thinking") {
            let type = try F.requiredString(thinking["type"], "thinking.type")
            if type == "enabled" {
                r.reasoning = Reasoning(budgetTokens: try F.int(thinking["budget_tokens"], "thinking.budget_tokens"))
            }
        }
        for (key, value) in root where !knownFields.contains(key) { r.extra.append(key, value) }
        // Structured output (`output_config.format`, or the beta `output_format`) is the
        // canonical response format other providers enforce their own way.
        let format = root["output_config"]?["format"] ?? root["output_format"]
        if let format, format["type"]?.string == "json_schema", let schema = format["schema"] {
            r.responseFormat = ["type": "json_schema", "json_schema": ["name": "output", "schema": schema, "strict": true]]
        }
        return r
    }

    static func decodeTool(_ t: JSON, _ path: String) throws(GatewayError) -> Tool {
        typealias F = AnthropicField
        guard t.object != nil else { throw F.invalid(path, expected: "a valid dictionary") }
        // Server tools (web search, code execution, …) carry a versioned `type` and run at
        // Anthropic: no other provider can run them.
        if let type = try F.string(t["type"], "\(path).type"), type != "custom" {
            // Web search has an equivalent on Gemini and OpenAI's Responses API.
            if type.hasPrefix("web_search_") { return Tool(name: t["name"]?.string ?? "web_search", hosted: .webSearch) }
            throw F.invalidValue("\(path).type", "tool type '\(type)' cannot be translated for this provider.")
        }
        var tool = Tool(
            name: try F.requiredString(t["name"], "\(path).name"),
            description: try F.string(t["description"], "\(path).description"))
        guard let schema = t["input_schema"], schema.object != nil else {
            throw t["input_schema"] == nil ? F.missing("\(path).input_schema") : F.invalid("\(path).input_schema", expected: "a valid dictionary")
        }
        tool.parameters = schema
        return tool
    }

    static func decodeToolChoice(_ v: JSON?, into r: inout ChatRequest) throws(GatewayError) {
        typealias F = AnthropicField
        guard let choice = try F.object(v, "tool_choice") else { return }
        switch try F.requiredString(choice["type"], "tool_choice.type") {
        case "auto": r.toolChoice = .auto
        case "any": r.toolChoice = .required
        case "none": r.toolChoice = ToolChoice.none
        case "tool": r.toolChoice = .tool(name: try F.requiredString(choice["name"], "tool_choice.name"))
        case let other:
            throw F.invalidValue("tool_choice.type", "Input should be 'auto', 'any', 'tool' or 'none', not '\(other)'")
        }
        if let disable = try F.bool(choice["disable_parallel_tool_use"], "tool_choice.disable_parallel_tool_use") {
            r.parallelToolCalls = !disable
        }
    }
}
