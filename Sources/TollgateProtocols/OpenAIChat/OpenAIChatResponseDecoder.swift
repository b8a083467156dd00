import TollgateJSON

/// A whole `chat.completion` body → canonical. Only the first choice is read: canonical has
/// one answer, and `n > 1` is only ever forwarded to OpenAI-style upstreams, which pass through.
enum OpenAIChatResponseDecoder {
    static func decode(_ body: JSON) throws(GatewayError) -> ChatResponse {
        guard body.object != nil, let choices = body["choices"]?.array else {
            throw GatewayError(status: 502, kind: .apiError, message: "The upstream response is not a chat completion.")
        }
        var r = ChatResponse(
            id: body["id"]?.string ?? "", model: body["model"]?.string ?? "", created: body["created"]?.int ?? 0)
        if let usage = OpenAIChatUsage.decode(body["usage"]) { r.usage = usage }
        guard let choice = choices.first else { return r }
        if let reason = choice["finish_reason"]?.string { r.stopReason = OpenAIChatFinishReason.decode(reason) }
        guard let message = choice["message"] else { return r }
        // DeepSeek and LiteLLM say `reasoning_content`; OpenRouter and vLLM say `reasoning`.
        // LiteLLM-style `thinking_blocks` carry the signatures and redacted blocks; they win
        // over the plain reasoning text, which repeats their text.
        if let blocks = message["thinking_blocks"]?.array, !blocks.isEmpty {
            for b in blocks {
                if b["type"]?.string == "redacted_thinking" {
                    if let d = b["data"]?.string { r.content.append(.redactedThinking(data: d)) }
                } else if let t = b["thinking"]?.string {
                    r.content.append(.thinking(text: t, signature: b["signature"]?.string))
                }
            }
        } else if let thinking = message["reasoning_content"]?.string ?? message["reasoning"]?.string, !thinking.isEmpty {
            r.content.append(.thinking(text: thinking, signature: nil))
        }
        if let text = message["content"]?.string, !text.isEmpty {
            r.content.append(.text(text))
        } else if let parts = message["content"]?.array {
            for p in parts { if let t = p["text"]?.string { r.content.append(.text(t)) } }
        }
        if let refusal = message["refusal"]?.string, !refusal.isEmpty { r.content.append(.text(refusal)) }
        for call in message["tool_calls"]?.array ?? [] {
            let fn = call["function"]
            r.content.append(
                .toolUse(
                    id: call["id"]?.string ?? "", name: fn?["name"]?.string ?? "",
                    input: OpenAIChatRequestDecoder.parseArguments(fn?["arguments"]?.string ?? "")))
        }
        return r
    }
}
