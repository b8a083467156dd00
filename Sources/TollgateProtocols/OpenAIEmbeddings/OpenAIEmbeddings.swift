import TollgateJSON

/// OpenAI `/v1/embeddings` (also what every OpenAI-compatible provider speaks).
enum OpenAIEmbeddings {
    static func decodeRequest(_ body: JSON) throws(GatewayError) -> EmbeddingRequest {
        guard let o = body.object else { throw .badRequest("request body must be a JSON object") }
        guard let model = o["model"]?.string, !model.isEmpty else { throw .badRequest("`model` is required", param: "model") }
        var r = EmbeddingRequest(model: model, inputs: try EmbeddingInputs.decode(o["input"]), dimensions: o["dimensions"]?.int)
        if let f = o["encoding_format"]?.string {
            guard let format = EmbeddingEncodingFormat(rawValue: f) else {
                throw .badRequest("encoding_format must be float or base64", param: "encoding_format")
            }
            r.encodingFormat = format
        }
        if let u = o["user"] { r.extra["user"] = u }
        return r
    }

    /// Always asks for floats: the gateway reads the vectors, and re-encodes for the client.
    static func encodeRequest(_ r: EmbeddingRequest) -> JSON {
        var o: JSONObject = ["model": .string(r.model), "input": .array(r.inputs.map(JSON.string)), "encoding_format": "float"]
        if let d = r.dimensions { o.append("dimensions", JSON(d)) }
        if let u = r.extra["user"] { o.append("user", u) }
        return .object(o)
    }

    static func decodeResponse(_ body: JSON, model: String) throws(GatewayError) -> EmbeddingResponse {
        guard let data = body["data"]?.array else {
            throw GatewayError(status: 502, kind: .apiError, message: "embeddings response has no data array")
        }
        var indexed: [(Int, [Double])] = []
        indexed.reserveCapacity(data.count)
        for (k, d) in data.enumerated() {
            let e = d["embedding"]
            guard let v = EmbeddingInputs.vector(e) ?? e?.string.flatMap(Float32Base64.decode) else {
                throw GatewayError(status: 502, kind: .apiError, message: "embeddings response item \(k) has no vector")
            }
            indexed.append((d["index"]?.int ?? k, v))
        }
        indexed.sort { $0.0 < $1.0 }
        let usage = body["usage"]?["prompt_tokens"]?.int.map { Usage(inputTokens: $0) }
        return EmbeddingResponse(model: body["model"]?.string ?? model, vectors: indexed.map(\.1), usage: usage)
    }

    static func encodeResponse(_ r: EmbeddingResponse, format: EmbeddingEncodingFormat) -> JSON {
        let data = r.vectors.enumerated().map { k, v -> JSON in
            let e: JSON = format == .base64 ? .string(Float32Base64.encode(v)) : EmbeddingInputs.vectorJSON(v)
            return ["object": "embedding", "index": JSON(k), "embedding": e]
        }
        var out: JSONObject = ["object": "list", "data": .array(data), "model": .string(r.model)]
        // A provider that reports no counts (Gemini) gives none: a zero would look measured.
        if let u = r.usage { out.append("usage", ["prompt_tokens": JSON(u.inputTokens), "total_tokens": JSON(u.inputTokens)]) }
        return .object(out)
    }
}
