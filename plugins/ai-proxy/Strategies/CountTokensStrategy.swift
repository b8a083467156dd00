import NIOCore
import NIOHTTP1
import TollgateCore
import TollgateJSON
import TollgateProtocols

/// Counting a request's input tokens with a provider of another family: Anthropic
/// `count_tokens`, Gemini `countTokens` and OpenAI `responses/input_tokens` take the same
/// request as their chat API, less what does not change the count. The request goes through the
/// canonical model; the number comes back in the client's shape.
struct CountTokensStrategy: CallStrategy {
    func prepare(_ call: CallFacts, _ ctx: RequestContext) throws(GatewayError) -> PreparedCall {
        var body = try ctx.json()
        // Gemini's countTokens may wrap a whole generateContent request.
        if call.inbound == .gemini, let wrapped = body["generateContentRequest"] { body = wrapped }
        // Anthropic's count_tokens request has no max_tokens; its decoder wants one.
        if call.inbound == .anthropicMessages, body["max_tokens"] == nil { body["max_tokens"] = 1 }
        var req = try Translation.codec(call.inbound).decodeRequest(body)
        req.model = call.target.model
        req.stream = false
        let encoded = Translation.codec(call.outbound).encodeRequest(req)
        return PreparedCall(
            body: ByteBuffer(bytes: Self.countRequest(encoded, for: call.outbound, model: call.target.model).serialized()),
            transformer: CountTokensTransformer(inbound: call.inbound, outbound: call.outbound))
    }

    /// The provider's count request from its chat request: only the fields that count.
    static func countRequest(_ chat: JSON, for p: WireProtocol, model: String) -> JSON {
        switch p {
        case .gemini:
            var inner = JSONObject()
            inner.append("model", .string("models/" + model))
            for k in ["contents", "systemInstruction", "tools", "toolConfig"] { if let v = chat[k] { inner.append(k, v) } }
            return ["generateContentRequest": .object(inner)]
        case .anthropicMessages:
            return keep(chat, ["model", "messages", "system", "tools", "tool_choice", "thinking"])
        default:
            return keep(chat, ["model", "input", "instructions", "tools", "tool_choice", "reasoning", "text"])
        }
    }

    private static func keep(_ v: JSON, _ keys: [String]) -> JSON {
        var out = JSONObject()
        for k in keys { if let x = v[k] { out.append(k, x) } }
        return .object(out)
    }

    /// The count in `p`'s answer shape.
    static func answer(_ tokens: Int, for p: WireProtocol) -> JSON {
        switch p {
        case .gemini: return ["totalTokens": JSON(tokens)]
        case .openAIResponses: return ["object": "response.input_tokens", "input_tokens": JSON(tokens)]
        default: return ["input_tokens": JSON(tokens)]
        }
    }

    /// The count in `p`'s answer, if it has one.
    static func count(in answer: JSON, from p: WireProtocol) -> Int? {
        switch p {
        case .gemini: return answer["totalTokens"]?.int
        default: return answer["input_tokens"]?.int
        }
    }
}

/// A provider's token count, read whole and given back in the client's shape.
final class CountTokensTransformer: WholeJSONTransformer {
    let inbound: WireProtocol
    let outbound: WireProtocol
    var what: String { "token count" }

    init(inbound: WireProtocol, outbound: WireProtocol) {
        self.inbound = inbound
        self.outbound = outbound
    }

    func translate(_ answer: JSON, ctx: RequestContext) throws(GatewayError) -> JSON {
        guard let n = CountTokensStrategy.count(in: answer, from: outbound) else {
            throw GatewayError(status: 502, kind: .apiError, message: "no token count in the answer")
        }
        return CountTokensStrategy.answer(n, for: inbound)
    }
}
