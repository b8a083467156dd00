import TollgateJSON

/// The one embeddings request every wire protocol decodes into and encodes from.
public struct EmbeddingRequest: Sendable, Equatable {
    /// The model as the provider should see it; "" when the protocol puts it in the URL.
    public var model: String
    /// The texts to embed, in order; responses keep the same order.
    public var inputs: [String]
    /// OpenAI `dimensions`, Gemini `outputDimensionality`, Ollama `dimensions`.
    public var dimensions: Int?
    /// How the client wants vectors written back (OpenAI only; others always use numbers).
    public var encodingFormat: EmbeddingEncodingFormat
    /// Fields of the inbound protocol with no canonical meaning (Gemini `taskType`, Ollama
    /// `keep_alive`, OpenAI `user`); encoders copy only the ones their protocol knows.
    public var extra: JSONObject
    /// Gemini `embedContent`: one text, and the answer is one `embedding`, not a list.
    public var single = false

    public init(model: String, inputs: [String], dimensions: Int? = nil, encodingFormat: EmbeddingEncodingFormat = .float,
                extra: JSONObject = JSONObject()) {
        self.model = model
        self.inputs = inputs
        self.dimensions = dimensions
        self.encodingFormat = encodingFormat
        self.extra = extra
    }
}

public struct EmbeddingResponse: Sendable, Equatable {
    public var model: String
    /// One vector per input, in input order.
    public var vectors: [[Double]]
    /// Only `inputTokens` is meaningful; nil when the provider reports none (Gemini): never a
    /// zero that would look measured.
    public var usage: Usage?

    public init(model: String, vectors: [[Double]], usage: Usage? = nil) {
        self.model = model
        self.vectors = vectors
        self.usage = usage
    }
}

/// OpenAI `encoding_format`. openai-python asks for `base64` by default and decodes it itself,
/// so both must be answered.
public enum EmbeddingEncodingFormat: String, Sendable, Equatable {
    case float
    /// Little-endian float32 values, base64-encoded.
    case base64
}
