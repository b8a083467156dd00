import TollgateJSON

/// Gemini `models/{model}:batchEmbedContents` (one request per text, one `values` per request)
/// and `:embedContent` (one `content`, one `embedding`). Gemini reports no token counts for
/// embeddings, so there is no usage.
enum GeminiEmbeddings {
    /// Per-request fields kept for a Gemini upstream.
    static let passthroughKeys = ["taskType", "title"]

    static func decodeRequest(_ body: JSON) throws(GatewayError) -> EmbeddingRequest {
        if body["requests"] == nil, body["content"] != nil {
            var r = try decodeRequest(["requests": [body]])
            r.single = true
            return r
        }
        guard let requests = body["requests"]?.array, !requests.isEmpty else {
            throw .badRequest("`requests` is required and must be a non-empty array", param: "requests")
        }
        var inputs: [String] = []
        inputs.reserveCapacity(requests.count)
        for (i, q) in requests.enumerated() {
            guard let parts = q["content"]?["parts"]?.array else {
                throw .badRequest("a request needs content.parts", param: "requests[\(i)].content.parts")
            }
            var text = ""
            for p in parts {
                guard let t = p["text"]?.string else {
                    throw .badRequest("only text parts can be embedded", param: "requests[\(i)].content.parts")
                }
                text += text.isEmpty ? t : " " + t
            }
            inputs.append(text)
        }
        let first = requests[0]
        var model = first["model"]?.string ?? ""  // the URL names it too; the core may override
        if model.hasPrefix("models/") { model.removeFirst(7) }
        var r = EmbeddingRequest(model: model, inputs: inputs,
                                 dimensions: first.gemini("outputDimensionality", "output_dimensionality")?.int)
        for k in passthroughKeys { if let v = first[k] { r.extra[k] = v } }
        return r
    }

    static func encodeRequest(_ r: EmbeddingRequest) -> JSON {
        let requests = r.inputs.map { text -> JSON in
            var q: JSONObject = ["model": .string("models/" + r.model), "content": ["parts": [["text": .string(text)]]]]
            if let d = r.dimensions { q.append("outputDimensionality", JSON(d)) }
            for k in passthroughKeys { if let v = r.extra[k] { q.append(k, v) } }
            return .object(q)
        }
        return ["requests": .array(requests)]
    }

    static func decodeResponse(_ body: JSON, model: String) throws(GatewayError) -> EmbeddingResponse {
        if body["embeddings"] == nil, let one = body["embedding"] { return try decodeResponse(["embeddings": [one]], model: model) }
        guard let embeddings = body["embeddings"]?.array else {
            throw GatewayError(status: 502, kind: .apiError, message: "Gemini embeddings response has no embeddings array")
        }
        var vectors: [[Double]] = []
        vectors.reserveCapacity(embeddings.count)
        for e in embeddings {
            guard let v = EmbeddingInputs.vector(e["values"]) else {
                throw GatewayError(status: 502, kind: .apiError, message: "Gemini embedding has no values")
            }
            vectors.append(v)
        }
        return EmbeddingResponse(model: model, vectors: vectors)
    }

    static func encodeResponse(_ r: EmbeddingResponse, single: Bool = false) -> JSON {
        if single, let v = r.vectors.first { return ["embedding": ["values": EmbeddingInputs.vectorJSON(v)]] }
        return ["embeddings": .array(r.vectors.map { ["values": EmbeddingInputs.vectorJSON($0)] })]
    }
}
