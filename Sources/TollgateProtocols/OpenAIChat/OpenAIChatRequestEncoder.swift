import TollgateJSON

/// Canonical → an OpenAI Chat Completions request, for OpenAI and every compatible server.
/// Tool-result parts of a user turn become `tool` messages ahead of the turn's other content,
/// as OpenAI wants results right after the assistant's calls.
enum OpenAIChatRequestEncoder {
    /// Anthropic-only fields an Anthropic client may have sent; OpenAI-style servers reject
    /// unknown parameters, so these are not copied from `extra`.
    static let anthropicOnlyFields: Set<String> = [
        "container", "mcp_servers", "context_management", "anthropic_version", "anthropic_beta",
        "output_config", "output_format", "inference_geo",
    ]

    static func encode(_ r: ChatRequest) -> JSON {
        var body = JSONObject()
        body.append("model", .string(r.model))
        body.append("messages", .array(messages(r)))
        if let n = r.maxTokens {
            // Reasoning models refuse `max_tokens`; older compatible servers only know it.
            body.append(r.reasoning != nil ? "max_completion_tokens" : "max_tokens", JSON(n))
        }
        if let t = r.temperature { body.append("temperature", .double(t)) }
        if let p = r.topP { body.append("top_p", .double(p)) }
        if let k = r.topK { body.append("top_k", JSON(k)) }
        if !r.stop.isEmpty { body.append("stop", .array(r.stop.map(JSON.string))) }
        if r.stream {
            body.append("stream", true)
            if r.includeUsageInStream { body.append("stream_options", ["include_usage": true]) }
        }
        if let u = r.user { body.append("user", .string(u)) }
        if !r.tools.isEmpty {
            body.append("tools", .array(r.tools.map(tool)))
            if let c = r.toolChoice { body.append("tool_choice", toolChoice(c)) }
            // OpenAI rejects `parallel_tool_calls` in a request without tools.
            if let p = r.parallelToolCalls { body.append("parallel_tool_calls", .bool(p)) }
        }
        if let effort = r.reasoning?.resolvedEffort { body.append("reasoning_effort", .string(effort)) }
        if let f = r.responseFormat { body.append("response_format", f) }
        for (key, value) in r.extra where body[key] == nil && !anthropicOnlyFields.contains(key) {
            if key == "service_tier", value == "standard_only" { continue }  // Anthropic's value
            body.append(key, value)
        }
        return .object(body)
    }

    static func messages(_ r: ChatRequest) -> [JSON] {
        var out: [JSON] = []
        out.reserveCapacity(r.messages.count + 1)
        // One system message: some compatible servers' chat templates accept only one, first.
        let system = r.system.compactMap { part -> String? in
            if case .text(let t) = part { return t }
            return nil  // images cannot be system content in OpenAI
        }
        if !system.isEmpty { out.append(["role": "system", "content": .string(system.joined(separator: "\n\n"))]) }
        for m in r.messages {
            switch m.role {
            case .user: appendUser(m.content, to: &out)
            case .assistant: out.append(assistant(m.content))
            }
        }
        return out
    }

    static func appendUser(_ parts: [ContentPart], to out: inout [JSON]) {
        var rest: [ContentPart] = []
        // Images a tool returned: OpenAI's tool messages carry text only, so they follow the
        // tool messages in a user turn (before the turn's own content), each after a line
        // naming the call it came from.
        var resultImages: [ContentPart] = []
        for part in parts {
            guard case .toolResult(let id, let content, _) = part else {
                rest.append(part)
                continue
            }
            // `is_error` has no OpenAI field.
            var text = ""
            var images: [ContentPart] = []
            for c in content {
                switch c {
                case .text(let t): text += t
                case .image: images.append(c)
                default: break
                }
            }
            if !images.isEmpty {
                resultImages.append(.text("Image(s) returned by tool call \(id):"))
                resultImages += images
                if text.isEmpty { text = "(the result is the image(s) in the next user message)" }
            }
            out.append(["role": "tool", "tool_call_id": .string(id), "content": .string(text)])
        }
        rest = resultImages + rest
        guard !rest.isEmpty else { return }
        if rest.count == 1, case .text(let t) = rest[0] {
            out.append(["role": "user", "content": .string(t)])
            return
        }
        var items: [JSON] = []
        for part in rest {
            switch part {
            case .text(let t): items.append(["type": "text", "text": .string(t)])
            case .image(let source): items.append(["type": "image_url", "image_url": ["url": .string(source.asURL)]])
            case .file(let mediaType, let data, let filename):
                items.append(["type": "file", "file": [
                    "filename": .string(filename ?? "document"), "file_data": .string("data:\(mediaType);base64,\(data)"),
                ]])
            default: break  // thinking and tool calls do not occur in user turns
            }
        }
        out.append(["role": "user", "content": .array(items)])
    }

    /// Thinking is not sent back: OpenAI has no field for it in requests and DeepSeek rejects
    /// `reasoning_content` in input messages.
    static func assistant(_ parts: [ContentPart]) -> JSON {
        var text = ""
        var hasText = false
        var calls: [JSON] = []
        for part in parts {
            switch part {
            case .text(let t):
                text += t
                hasText = true
            case .toolUse(let id, let name, let input):
                calls.append(OpenAIChatResponseEncoder.toolCall(id: id, name: name, input: input))
            default: break
            }
        }
        var m = JSONObject()
        m.append("role", "assistant")
        m.append("content", hasText || calls.isEmpty ? .string(text) : .null)
        if !calls.isEmpty { m.append("tool_calls", .array(calls)) }
        return .object(m)
    }

    static func tool(_ t: Tool) -> JSON {
        var fn = JSONObject()
        fn.append("name", .string(t.name))
        if let d = t.description { fn.append("description", .string(d)) }
        fn.append("parameters", t.parameters)
        return ["type": "function", "function": .object(fn)]
    }

    static func toolChoice(_ c: ToolChoice) -> JSON {
        switch c {
        case .auto: return "auto"
        case .none: return "none"
        case .required: return "required"
        case .tool(let name): return ["type": "function", "function": ["name": .string(name)]]
        }
    }
}
