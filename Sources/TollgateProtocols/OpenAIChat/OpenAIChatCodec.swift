import TollgateJSON

/// The OpenAI Chat Completions protocol (`POST /v1/chat/completions`), as spoken by OpenAI and
/// every OpenAI-compatible server. Each job lives in its own file of this folder.
public enum OpenAIChatCodec: ProtocolCodec {
    public static func decodeRequest(_ body: JSON) throws(GatewayError) -> ChatRequest {
        try OpenAIChatRequestDecoder.decode(body)
    }

    public static func encodeRequest(_ request: ChatRequest) -> JSON {
        OpenAIChatRequestEncoder.encode(request)
    }

    public static func decodeResponse(_ body: JSON) throws(GatewayError) -> ChatResponse {
        try OpenAIChatResponseDecoder.decode(body)
    }

    public static func encodeResponse(_ response: ChatResponse) -> JSON {
        OpenAIChatResponseEncoder.encode(response)
    }

    public static func decodeError(status: Int, body: [UInt8]) -> GatewayError {
        OpenAIChatErrors.decode(status: status, body: body)
    }

    public static func encodeError(_ error: GatewayError) -> JSON {
        OpenAIChatErrors.encode(error)
    }

    public static let usageKeys = ["usage"]
    public static func usage(in body: JSON) -> Usage? {
        OpenAIChatUsage.decode(body["usage"])
    }

    public static func makeStreamDecoder() -> any StreamDecoder {
        OpenAIChatStreamDecoder()
    }

    public static func makeStreamEncoder(_ options: StreamEncoderOptions) -> any StreamEncoder {
        OpenAIChatStreamEncoder(options: options)
    }
}
