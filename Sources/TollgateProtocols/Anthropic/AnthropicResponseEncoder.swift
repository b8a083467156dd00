import TollgateJSON

/// Canonical → a whole Anthropic `message` body. Reasoning from OpenAI-style providers has no
/// signature; it is still shown as a `thinking` block (with an empty signature) so clients
/// can display it, and the request encoder leaves such blocks out if they are sent back.
enum AnthropicResponseEncoder {
    static func encode(_ r: ChatResponse) -> JSON {
        var content: [JSON] = []
        content.reserveCapacity(r.content.count)
        for part in r.content {
            switch part {
            case .thinking(let text, let signature):
                content.append(["type": "thinking", "thinking": .string(text), "signature": .string(signature ?? "")])
            case .toolResult, .image:
                break  // not part of an assistant answer
            default:
                if let block = AnthropicContent.encodeBlock(part) { content.append(block) }
            }
        }
        let (reason, sequence) = AnthropicStopReason.encode(r.stopReason ?? .endTurn)
        var body = JSONObject()
        body.append("id", .string(r.id))
        body.append("type", "message")
        body.append("role", "assistant")
        body.append("model", .string(r.model))
        body.append("content", .array(content))
        body.append("stop_reason", .string(reason))
        body.append("stop_sequence", sequence.map(JSON.string) ?? .null)
        body.append("usage", AnthropicUsage.encode(r.usage))
        return .object(body)
    }
}
