import TollgateJSON

/// Ollama `/api/chat`, streamed as NDJSON. Each job lives in its own file; this type only binds
/// them to `ProtocolCodec`. Mapping rules and losses: docs/translation-gemini-ollama-responses.md.
public enum OllamaCodec: ProtocolCodec {
    public static func decodeRequest(_ body: JSON) throws(GatewayError) -> ChatRequest {
        try OllamaRequestDecoder.decode(body)
    }
    public static func encodeRequest(_ request: ChatRequest) -> JSON { OllamaRequestEncoder.encode(request) }
    public static func decodeResponse(_ body: JSON) throws(GatewayError) -> ChatResponse {
        try OllamaResponseDecoder.decode(body)
    }
    public static func encodeResponse(_ response: ChatResponse) -> JSON { OllamaResponseEncoder.encode(response) }
    public static func decodeError(status: Int, body: [UInt8]) -> GatewayError { OllamaErrors.decode(status: status, body: body) }
    public static func encodeError(_ error: GatewayError) -> JSON { OllamaErrors.encode(error) }
    public static let usageKeys = ["prompt_eval_count", "eval_count"]
    public static func usage(in body: JSON) -> Usage? {
        body["eval_count"] == nil && body["prompt_eval_count"] == nil ? nil : OllamaResponseDecoder.usage(body)
    }
    public static func makeStreamDecoder() -> any StreamDecoder { OllamaStreamDecoder() }
    public static func makeStreamEncoder(_ options: StreamEncoderOptions) -> any StreamEncoder { OllamaStreamEncoder(options) }
}
