import TollgateJSON

/// OpenAI Responses (`/v1/responses`). Each job lives in its own file; this type only binds
/// them to `ProtocolCodec`. Errors have the same shape as Chat Completions', so they are
/// OpenAIChatCodec's. Mapping rules and losses: docs/translation-gemini-ollama-responses.md.
public enum ResponsesCodec: ProtocolCodec {
    public static func decodeRequest(_ body: JSON) throws(GatewayError) -> ChatRequest {
        try ResponsesRequestDecoder.decode(body)
    }
    public static func encodeRequest(_ request: ChatRequest) -> JSON { ResponsesRequestEncoder.encode(request) }
    public static func decodeResponse(_ body: JSON) throws(GatewayError) -> ChatResponse {
        try ResponsesResponseDecoder.decode(body)
    }
    public static func encodeResponse(_ response: ChatResponse) -> JSON { ResponsesResponseEncoder.encode(response) }
    public static func decodeError(status: Int, body: [UInt8]) -> GatewayError { OpenAIChatCodec.decodeError(status: status, body: body) }
    public static func encodeError(_ error: GatewayError) -> JSON { OpenAIChatCodec.encodeError(error) }
    public static let usageKeys = ["usage", "response"]
    public static func usage(in body: JSON) -> Usage? {
        guard let u = body["usage"] ?? body["response"]?["usage"], !u.isNull else { return nil }
        return ResponsesUsage.decode(u)
    }
    public static func makeStreamDecoder() -> any StreamDecoder { ResponsesStreamDecoder() }
    public static func makeStreamEncoder(_ options: StreamEncoderOptions) -> any StreamEncoder { ResponsesStreamEncoder(options) }
}
