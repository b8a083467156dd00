import TollgateJSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Canonical → a whole `chat.completion` body. Thinking goes out as `reasoning_content` (the
/// text, as DeepSeek and LiteLLM clients read it) and `thinking_blocks` (each block with its
/// signature, redacted blocks kept: LiteLLM's convention), so a client that sends the message
/// back carries the signed blocks Anthropic needs on the next turn of a tool loop.
enum OpenAIChatResponseEncoder {
    static func encode(_ r: ChatResponse) -> JSON {
        var message = JSONObject()
        message.append("role", "assistant")
        var text = ""
        var hasText = false
        var reasoning = ""
        var blocks: [JSON] = []
        var calls: [JSON] = []
        for part in r.content {
            switch part {
            case .text(let t):
                text += t
                hasText = true
            case .thinking(let t, let signature):
                reasoning += t
                if let signature { blocks.append(["type": "thinking", "thinking": .string(t), "signature": .string(signature)]) }
            case .redactedThinking(let data):
                blocks.append(["type": "redacted_thinking", "data": .string(data)])
            case .toolUse(let id, let name, let input):
                calls.append(toolCall(id: id, name: name, input: input))
            case .image, .toolResult, .cacheBreakpoint, .file: break  // not part of an assistant answer in OpenAI
            }
        }
        message.append("content", hasText ? .string(text) : .null)
        if !reasoning.isEmpty { message.append("reasoning_content", .string(reasoning)) }
        if !blocks.isEmpty { message.append("thinking_blocks", .array(blocks)) }
        if !calls.isEmpty { message.append("tool_calls", .array(calls)) }
        message.append("refusal", .null)

        var choice = JSONObject()
        choice.append("index", 0)
        choice.append("message", .object(message))
        choice.append("logprobs", .null)
        choice.append("finish_reason", .string(OpenAIChatFinishReason.encode(r.stopReason ?? .endTurn)))

        var body = JSONObject()
        body.append("id", .string(r.id))
        body.append("object", "chat.completion")
        body.append("created", JSON(r.created != 0 ? r.created : unixNow()))
        body.append("model", .string(r.model))
        body.append("choices", [.object(choice)])
        body.append("usage", OpenAIChatUsage.encode(r.usage))
        return .object(body)
    }

    static func toolCall(id: String, name: String, input: JSON) -> JSON {
        [
            "id": .string(id), "type": "function",
            "function": ["name": .string(name), "arguments": .string(argumentsText(input))],
        ]
    }

    /// The arguments string OpenAI expects; a `.string` input holds unparseable text verbatim.
    static func argumentsText(_ input: JSON) -> String {
        if case .string(let raw) = input { return raw }
        return input.jsonString
    }

    /// Seconds since 1970, for `created` when the provider gave none (Anthropic never does).
    static func unixNow() -> Int {
        Int(time(nil))
    }
}
