import TollgateJSON

/// Gemini `generateContent` / `streamGenerateContent?alt=sse`. Each job lives in its own file;
/// this type only binds them to `ProtocolCodec`. Mapping rules and losses:
/// docs/translation-gemini-ollama-responses.md.
public enum GeminiCodec: ProtocolCodec {
    public static func decodeRequest(_ body: JSON) throws(GatewayError) -> ChatRequest {
        try GeminiRequestDecoder.decode(body)
    }
    public static func encodeRequest(_ request: ChatRequest) -> JSON { GeminiRequestEncoder.encode(request) }
    public static func decodeResponse(_ body: JSON) throws(GatewayError) -> ChatResponse {
        try GeminiResponseDecoder.decode(body)
    }
    public static func encodeResponse(_ response: ChatResponse) -> JSON { GeminiResponseEncoder.encode(response) }
    public static func decodeError(status: Int, body: [UInt8]) -> GatewayError { GeminiErrors.decode(status: status, body: body) }
    public static func encodeError(_ error: GatewayError) -> JSON { GeminiErrors.encode(error) }
    public static let usageKeys = ["usageMetadata", "usage_metadata"]
    public static func usage(in body: JSON) -> Usage? {
        body.gemini("usageMetadata", "usage_metadata").map(GeminiUsage.decode)
    }
    public static func makeStreamDecoder() -> any StreamDecoder { GeminiStreamDecoder() }
    public static func makeStreamEncoder(_ options: StreamEncoderOptions) -> any StreamEncoder { GeminiStreamEncoder(options) }
}
