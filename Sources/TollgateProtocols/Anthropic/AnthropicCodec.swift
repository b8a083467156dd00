import TollgateJSON

/// The Anthropic Messages protocol (`POST /v1/messages`). Each job lives in its own file of
/// this folder.
public enum AnthropicCodec: ProtocolCodec {
    public static func decodeRequest(_ body: JSON) throws(GatewayError) -> ChatRequest {
        try AnthropicRequestDecoder.decode(body)
    }

    public static func encodeRequest(_ request: ChatRequest) -> JSON {
        AnthropicRequestEncoder.encode(request)
    }

    public static func decodeResponse(_ body: JSON) throws(GatewayError) -> ChatResponse {
        try AnthropicResponseDecoder.decode(body)
    }

    public static func encodeResponse(_ response: ChatResponse) -> JSON {
        AnthropicResponseEncoder.encode(response)
    }

    public static func decodeError(status: Int, body: [UInt8]) -> GatewayError {
        AnthropicErrors.decode(status: status, body: body)
    }

    public static func encodeError(_ error: GatewayError) -> JSON {
        AnthropicErrors.encode(error)
    }

    public static let usageKeys = ["usage"]
    public static func usage(in body: JSON) -> Usage? {
        AnthropicUsage.decode(body["usage"])
    }

    public static func makeStreamDecoder() -> any StreamDecoder {
        AnthropicStreamDecoder()
    }

    public static func makeStreamEncoder(_ options: StreamEncoderOptions) -> any StreamEncoder {
        AnthropicStreamEncoder(options: options)
    }
}
