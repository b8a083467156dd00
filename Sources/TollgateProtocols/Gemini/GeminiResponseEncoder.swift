import TollgateJSON

/// Canonical → a `GenerateContentResponse` for a Gemini client.
enum GeminiResponseEncoder {
    static func encode(_ r: ChatResponse) -> JSON {
        var candidate: JSONObject = ["content": ["role": "model", "parts": .array(r.content.compactMap(part))]]
        if let s = r.stopReason { candidate.append("finishReason", .string(GeminiFinishReason.encode(s))) }
        candidate.append("index", 0)
        var o: JSONObject = ["candidates": [.object(candidate)]]
        o.append("usageMetadata", GeminiUsage.encode(r.usage))
        o.append("modelVersion", .string(r.model))
        if !r.id.isEmpty { o.append("responseId", .string(r.id)) }
        return .object(o)
    }

    /// One canonical part as a Gemini response part; nil for what a Gemini client cannot read
    /// (tool results never appear in an answer; redacted thinking has no Gemini form).
    static func part(_ p: ContentPart) -> JSON? {
        switch p {
        case .text(let t): return ["text": .string(t)]
        case .thinking(let t, let signature):
            // Another provider's signature (Anthropic's) rides on the thought part, where a
            // Gemini client keeps it and sends it back (streams: not yet, see conformance.md).
            var o: JSONObject = ["text": .string(t), "thought": true]
            if let signature, !signature.isEmpty, GeminiTextSignature.unwrap(signature) == nil { o.append("thoughtSignature", .string(signature)) }
            return .object(o)
        case .toolUse(let id, let name, let input):
            let (bare, signature) = GeminiToolCallID.split(id)
            var args = input
            if case .string(let raw) = input { args = (try? JSON.parse(raw)) ?? [:] }
            // The id lets google-genai (and ADK) echo it in the functionResponse, which pairs
            // results to calls more reliably than names do.
            var o: JSONObject = ["functionCall": ["id": .string(bare), "name": .string(name), "args": args]]
            if let signature { o.append("thoughtSignature", .string(signature)) }
            return .object(o)
        case .image(.base64(let mime, let data)):
            return ["inlineData": ["mimeType": .string(mime), "data": .string(data)]]
        case .image(.url), .toolResult, .redactedThinking, .cacheBreakpoint, .file:
            return nil
        }
    }
}
