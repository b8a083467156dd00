import TollgateJSON

// Placeholder until this protocol's codec lands: every call reports "not supported".
public enum OpenAIChatCodec: ProtocolCodec {
    static let unsupported = GatewayError(status: 501, kind: .apiError, message: "protocol OpenAIChat is not supported yet")
    public static func decodeRequest(_ body: JSON) throws(GatewayError) -> ChatRequest { throw unsupported }
    public static func encodeRequest(_ request: ChatRequest) -> JSON { [:] }
    public static func decodeResponse(_ body: JSON) throws(GatewayError) -> ChatResponse { throw unsupported }
    public static func encodeResponse(_ response: ChatResponse) -> JSON { [:] }
    public static func decodeError(status: Int, body: [UInt8]) -> GatewayError {
        GatewayError(status: status, kind: GatewayError.kind(forStatus: status), message: String(decoding: body, as: UTF8.self))
    }
    public static func encodeError(_ error: GatewayError) -> JSON { ["error": ["message": .string(error.message)]] }
    public static func usage(in body: JSON) -> Usage? { nil }
    public static func makeStreamDecoder() -> any StreamDecoder { NoStreamDecoder() }
    public static func makeStreamEncoder(_ options: StreamEncoderOptions) -> any StreamEncoder { NoStreamEncoder() }
}
