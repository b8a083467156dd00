import TollgateJSON

/// A `GenerateContentResponse` (whole, or one stream chunk) → canonical. Only the first
/// candidate is read: no other protocol can return several.
enum GeminiResponseDecoder {
    static func decode(_ body: JSON) throws(GatewayError) -> ChatResponse {
        guard body.object != nil else {
            throw GatewayError(status: 502, kind: .apiError, message: "Gemini response is not a JSON object")
        }
        let rid = body.gemini("responseId", "response_id")?.string ?? ""
        var r = ChatResponse(id: rid, model: body.gemini("modelVersion", "model_version")?.string ?? "")
        let candidate = body["candidates"]?[0]
        var callIndex = 0
        r.content = parts(candidate?["content"]?["parts"]?.array ?? [], responseID: rid, callIndex: &callIndex)
        r.stopReason = stopReason(body, candidate: candidate, hasFunctionCall: callIndex > 0)
        if let m = body.gemini("usageMetadata", "usage_metadata") { r.usage = GeminiUsage.decode(m) }
        return r
    }

    /// A prompt blocked before generation has no candidates, only `promptFeedback.blockReason`.
    static func stopReason(_ body: JSON, candidate: JSON?, hasFunctionCall: Bool) -> StopReason? {
        if let f = candidate?.gemini("finishReason", "finish_reason")?.string {
            return GeminiFinishReason.decode(f, hasFunctionCall: hasFunctionCall)
        }
        if body.gemini("promptFeedback", "prompt_feedback")?.gemini("blockReason", "block_reason") != nil {
            return .contentFilter
        }
        return nil
    }

    /// Response parts → canonical parts. `callIndex` numbers function calls across the chunks
    /// of a stream, so ids stay stable and distinct.
    static func parts(_ parts: [JSON], responseID: String, callIndex: inout Int) -> [ContentPart] {
        var out: [ContentPart] = []
        out.reserveCapacity(parts.count)
        for p in parts {
            guard let po = p.object else { continue }
            let signature = po.gemini("thoughtSignature", "thought_signature")?.string
            if let t = po["text"]?.string {
                if po["thought"]?.bool == true {
                    out.append(.thinking(text: t, signature: nil))
                } else {
                    // A signature on an answer's text part must go back on that part: it rides
                    // ahead of it as an empty signed thinking part (an OpenAI-chat client gets it
                    // in `thinking_blocks`), and the encoder puts it back on the part after it.
                    if let signature, !signature.isEmpty { out.append(.thinking(text: "", signature: GeminiTextSignature.wrap(signature))) }
                    if !t.isEmpty { out.append(.text(t)) }
                }
            } else if let fc = po.gemini("functionCall", "function_call"), let name = fc["name"]?.string {
                let id = fc["id"]?.string ?? GeminiToolCallID.synthesize(index: callIndex, responseID: responseID)
                callIndex += 1
                out.append(.toolUse(id: GeminiToolCallID.embed(id, signature: signature), name: name, input: fc["args"] ?? [:]))
            } else if let d = po.gemini("inlineData", "inline_data"),
                let mime = d.gemini("mimeType", "mime_type")?.string, let data = d["data"]?.string
            {
                out.append(.image(.base64(mediaType: mime, data: data)))  // image-output models
            }
            // executableCode / codeExecutionResult come only with Gemini's own tools; no other
            // protocol has a place for them.
        }
        return out
    }
}
