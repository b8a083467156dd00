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
        // Anthropic's system prompt is text only; a cache breakpoint marks the text before it.
        let system = AnthropicContent.encodeBlocks(r.system.filter {
            switch $0 {
            case .text(let t): return !t.isEmpty
            case .cacheBreakpoint: return true
            default: return false
            }
        })
        if system.count == 1, system[0]["cache_control"] == nil, let t = system[0]["text"] {
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
        if let format = outputFormat(r.responseFormat), body["output_config"] == nil, r.extra["output_config"] == nil,
           r.extra["output_format"] == nil {
            body.append("output_config", ["format": format])
        }
        for (key, value) in r.extra where passthroughFields.contains(key) && body[key] == nil {
            if key == "service_tier", !(value.string.map(serviceTiers.contains) ?? false) { continue }
            body.append(key, value)
        }
        return .object(body)
    }

    /// OpenAI `json_schema` (and Gemini's schema, which decodes to it) as Anthropic's structured
    /// output (`output_config.format`, generally available: no beta header). `json_object` has
    /// no Anthropic form and is not enforced (docs/translation-openai-anthropic.md).
    static func outputFormat(_ f: JSON?) -> JSON? {
        guard let f, f["type"]?.string == "json_schema", let schema = f["json_schema"]?["schema"], schema.object != nil else { return nil }
        return ["type": "json_schema", "schema": schema]
    }

    /// `max_tokens` and the thinking budget. Anthropic needs 1024 ≤ budget < max_tokens. A
    /// client's explicit limit is a cost cap and is kept; the budget is then held to half of it
    /// (the answer keeps room), but never below the minimum while the minimum still fits, so a
    /// budget is sent whenever a valid one exists, and a higher effort never gets less.
    /// Thinking is left off with a forced tool choice, which Anthropic refuses with thinking:
    /// the client's code relies on the forced call; reasoning is the part that can go.
    static func limits(_ r: ChatRequest) -> (maxTokens: Int, budget: Int?) {
        guard let wanted = r.reasoning?.resolvedBudgetTokens else { return (r.maxTokens ?? defaultMaxTokens, nil) }
        switch r.toolChoice {
        case .required?, .tool?: return (r.maxTokens ?? defaultMaxTokens, nil)
        default: break
        }
        let budget = max(wanted, minimumThinkingBudget)
        guard let maxTokens = r.maxTokens else { return (budget + defaultMaxTokens, budget) }
        let capped = min(budget, max(maxTokens / 2, minimumThinkingBudget))
        return (maxTokens, capped < maxTokens ? capped : nil)
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
            let blocks = AnthropicContent.encodeBlocks(m.content, toolResultsFirst: m.role == .user)
            guard !blocks.isEmpty else { continue }
            let plain = blocks.count == 1 && blocks[0]["type"] == "text" && blocks[0]["cache_control"] == nil
            let content: JSON = plain ? blocks[0]["text"] ?? .array(blocks) : .array(blocks)
            out.append(["role": .string(m.role.rawValue), "content": content])
        }
        return out
    }

    static func tool(_ t: Tool) -> JSON {
        if t.hosted == .webSearch {
            var w: JSONObject = ["type": "web_search_20250305", "name": "web_search"]
            if let cc = t.cacheControl { w.append("cache_control", cc) }
            return .object(w)
        }
        var o = JSONObject()
        o.append("name", .string(t.name))
        if let d = t.description { o.append("description", .string(d)) }
        o.append("input_schema", t.parameters)
        if let cc = t.cacheControl { o.append("cache_control", cc) }
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
