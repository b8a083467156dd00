import TollgateJSON

/// Ollama `/api/embed`.
enum OllamaEmbeddings {
    static let passthroughKeys = ["truncate", "options", "keep_alive"]

    static func decodeRequest(_ body: JSON) throws(GatewayError) -> EmbeddingRequest {
        guard let o = body.object else { throw .badRequest("request body must be a JSON object") }
        guard let model = o["model"]?.string, !model.isEmpty else { throw .badRequest("`model` is required", param: "model") }
        var r = EmbeddingRequest(model: model, inputs: try EmbeddingInputs.decode(o["input"]), dimensions: o["dimensions"]?.int)
        for k in passthroughKeys { if let v = o[k] { r.extra[k] = v } }
        return r
    }

    static func encodeRequest(_ r: EmbeddingRequest) -> JSON {
        var o: JSONObject = ["model": .string(r.model), "input": .array(r.inputs.map(JSON.string))]
        if let d = r.dimensions { o.append("dimensions", JSON(d)) }
        for k in passthroughKeys { if let v = r.extra[k] { o.append(k, v) } }
        return .object(o)
    }

    static func decodeResponse(_ body: JSON, model: String) throws(GatewayError) -> EmbeddingResponse {
        guard let embeddings = body["embeddings"]?.array else {
            throw GatewayError(status: 502, kind: .apiError, message: "Ollama embed response has no embeddings array")
        }
        var vectors: [[Double]] = []
        vectors.reserveCapacity(embeddings.count)
        for e in embeddings {
            guard let v = EmbeddingInputs.vector(e) else {
                throw GatewayError(status: 502, kind: .apiError, message: "Ollama embedding is not an array of numbers")
            }
            vectors.append(v)
        }
        return EmbeddingResponse(model: body["model"]?.string ?? model, vectors: vectors,
                                 usage: body["prompt_eval_count"]?.int.map { Usage(inputTokens: $0) })
    }

    static func encodeResponse(_ r: EmbeddingResponse) -> JSON {
        var out: JSONObject = ["model": .string(r.model), "embeddings": .array(r.vectors.map(EmbeddingInputs.vectorJSON))]
        if let u = r.usage { out.append("prompt_eval_count", JSON(u.inputTokens)) }
        return .object(out)
    }
}
