import TollgateJSON

/// Canonical → an Anthropic Messages request. Anthropic is stricter than the other protocols:
/// `max_tokens` is required, roles must alternate, tool results lead their user turn, text
/// blocks may not be empty, and thinking constrains sampling. This encoder satisfies each.
enum AnthropicRequestEncoder {
    /// `max_tokens` when the client set none (OpenAI and Gemini make it optional). With
    /// thinking on, the budget is added on top so the answer keeps this much room.
    static let defaultMaxTokens = 4096
    /// Anthropic's smallest accepted `thinking.budget_tokens`.
    static let minimumThinkingBudget = 1024

    /// Fields Anthropic knows that have no canonical meaning, copied from `extra`. Everything
    /// else in `extra` came from another protocol (OpenAI `seed`, `n`, `logprobs`, …) and would
    /// be rejected. `service_tier` is copied only with a value Anthropic accepts.
    static let passthroughFields: Set<String> = [
        "container", "context_management", "mcp_servers", "output_config", "output_format", "service_tier",
    ]
    static let serviceTiers: Set<String> = ["auto", "standard_only"]

    static func encode(_ r: ChatRequest) -> JSON {
        var body = JSONObject()
        body.append("model", .string(r.model))
        let (maxTokens, budget) = limits(r)
        body.append("max_tokens", JSON(maxTokens))
        let system = r.system.compactMap { part -> JSON? in
            if case .text(let t) = part, !t.isEmpty { return ["type": "text", "text": .string(t)] }
            return nil  // Anthropic's system prompt is text only
        }
        if system.count == 1, let t = system[0]["text"] {
            body.append("system", t)
        } else if !system.isEmpty {
            body.append("system", .array(system))
        }
        body.append("messages", .array(messages(r.messages)))
        if let budget {
            body.append("thinking", ["type": "enabled", "budget_tokens": JSON(budget)])
        } else {
            // With thinking on, Anthropic accepts only the default temperature and top_k, and
            // top_p ≥ 0.95; an OpenAI client's sampling settings would turn into a 400, so they
            // are sent only without thinking. OpenAI's temperature runs to 2, Anthropic's to 1.
            if let t = r.temperature { body.append("temperature", .double(min(max(t, 0), 1))) }
            if let p = r.topP { body.append("top_p", .double(p)) }
            if let k = r.topK { body.append("top_k", JSON(k)) }
        }
        if !r.stop.isEmpty { body.append("stop_sequences", .array(r.stop.map(JSON.string))) }
        if r.stream { body.append("stream", true) }
        if let u = r.user { body.append("metadata", ["user_id": .string(u)]) }
        if !r.tools.isEmpty {
            body.append("tools", .array(r.tools.map(tool)))
            if let c = toolChoice(r.toolChoice, parallel: r.parallelToolCalls) { body.append("tool_choice", c) }
        }
        for (key, value) in r.extra where passthroughFields.contains(key) && body[key] == nil {
            if key == "service_tier", !(value.string.map(serviceTiers.contains) ?? false) { continue }
            body.append(key, value)
        }
        return .object(body)
    }

    /// `max_tokens` and the thinking budget. Anthropic needs budget < max_tokens; a client's
    /// explicit limit is a cost cap and is kept, so the budget shrinks to half of it, and
    /// thinking is left off when even the minimum budget does not fit.
    static func limits(_ r: ChatRequest) -> (maxTokens: Int, budget: Int?) {
        guard let wanted = r.reasoning?.resolvedBudgetTokens else { return (r.maxTokens ?? defaultMaxTokens, nil) }
        let budget = max(wanted, minimumThinkingBudget)
        guard let maxTokens = r.maxTokens else { return (budget + defaultMaxTokens, budget) }
        if budget < maxTokens { return (maxTokens, budget) }
        let half = maxTokens / 2
        return (maxTokens, half >= minimumThinkingBudget ? half : nil)
    }

    /// Merges consecutive same-role messages, puts tool results first in each user turn, and
    /// leaves out empty text and messages left empty, all of which Anthropic rejects.
    static func messages(_ input: [Message]) -> [JSON] {
        var merged: [Message] = []
        merged.reserveCapacity(input.count)
        for m in input {
            let parts = m.content.filter { if case .text(let t) = $0 { return !t.isEmpty } else { return true } }
            guard !parts.isEmpty else { continue }
            if let last = merged.indices.last, merged[last].role == m.role {
                merged[last].content += parts
            } else {
                merged.append(Message(role: m.role, content: parts))
            }
        }
        var out: [JSON] = []
        out.reserveCapacity(merged.count)
        for m in merged {
            var parts = m.content
            if m.role == .user {
                let results = parts.filter { if case .toolResult = $0 { return true } else { return false } }
                if !results.isEmpty, results.count != parts.count {
                    parts = results + parts.filter { if case .toolResult = $0 { return false } else { return true } }
                }
            }
            let blocks = parts.compactMap(AnthropicContent.encodeBlock)
            guard !blocks.isEmpty else { continue }
            let content: JSON = blocks.count == 1 && blocks[0]["type"] == "text" ? blocks[0]["text"] ?? .array(blocks) : .array(blocks)
            out.append(["role": .string(m.role.rawValue), "content": content])
        }
        return out
    }

    static func tool(_ t: Tool) -> JSON {
        var o = JSONObject()
        o.append("name", .string(t.name))
        if let d = t.description { o.append("description", .string(d)) }
        o.append("input_schema", t.parameters)
        return .object(o)
    }

    /// Anthropic carries "no parallel calls" inside `tool_choice`, so a request that only
    /// disables parallel calls gets `{"type": "auto"}` to hold it.
    static func toolChoice(_ c: ToolChoice?, parallel: Bool?) -> JSON? {
        var o = JSONObject()
        switch c {
        case .auto?: o.append("type", "auto")
        case .none?: return ["type": "none"]  // takes no parallel flag
        case .required?: o.append("type", "any")
        case .tool(let name)?: o = ["type": "tool", "name": .string(name)]
        case nil:
            guard parallel == false else { return nil }
            o.append("type", "auto")
        }
        if parallel == false { o.append("disable_parallel_tool_use", true) }
        return .object(o)
    }
}
