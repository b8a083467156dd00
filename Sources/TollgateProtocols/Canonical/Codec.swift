import TollgateJSON

/// What one wire protocol knows how to read and write. Each protocol folder implements it once;
/// `Translation` picks the implementation by `WireProtocol`, so the core never names a protocol.
public protocol ProtocolCodec {
    /// Inbound request body → canonical. Throws a 400-shaped error naming the bad field.
    static func decodeRequest(_ body: JSON) throws(GatewayError) -> ChatRequest
    /// Canonical → the provider's request body.
    static func encodeRequest(_ request: ChatRequest) -> JSON
    /// Provider's whole response body → canonical.
    static func decodeResponse(_ body: JSON) throws(GatewayError) -> ChatResponse
    /// Canonical → the client's whole response body.
    static func encodeResponse(_ response: ChatResponse) -> JSON
    /// An error body the provider sent with `status` → canonical; the status is kept.
    static func decodeError(status: Int, body: [UInt8]) -> GatewayError
    /// Canonical → this protocol's error body.
    static func encodeError(_ error: GatewayError) -> JSON
    /// Usage from a whole response body of this protocol, for passthrough accounting.
    static func usage(in body: JSON) -> Usage?
    /// The top-level keys `usage(in:)` reads: a passthrough answer is skimmed and only these
    /// are parsed, not the whole answer.
    static var usageKeys: [String] { get }

    static func makeStreamDecoder() -> any StreamDecoder
    static func makeStreamEncoder(_ options: StreamEncoderOptions) -> any StreamEncoder
}

/// Turns the provider's stream bytes into canonical events. Owns its framing (SSE, NDJSON):
/// chunks may split lines, events and UTF-8 sequences anywhere.
public protocol StreamDecoder {
    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [StreamEvent]
    /// The provider closed the connection; flush anything half-read.
    mutating func finish() -> [StreamEvent]
}

extension StreamDecoder {
    public mutating func feed(_ bytes: [UInt8]) -> [StreamEvent] {
        bytes.withUnsafeBytes { feed($0) }
    }
}

/// Turns canonical events into the client's stream bytes, event by event.
public protocol StreamEncoder {
    mutating func encode(_ event: StreamEvent, into out: inout [UInt8])
}

public struct StreamEncoderOptions: Sendable, Equatable {
    /// OpenAI `stream_options.include_usage`: whether the client asked for a usage chunk.
    public var includeUsage: Bool
    /// The model name the client should see when the provider names none.
    public var model: String
    public init(includeUsage: Bool = false, model: String = "") {
        self.includeUsage = includeUsage
        self.model = model
    }
}

extension ProtocolCodec {
    /// Usage from a whole response body's bytes: the top level is skimmed and only the
    /// `usageKeys` values are parsed. Nil when the body is not a JSON object or has no usage.
    public static func usage(inBytes bytes: UnsafeRawBufferPointer) -> Usage? {
        guard let skim = try? JSONSkim(bytes) else { return nil }
        var object = JSONObject()
        for key in usageKeys {
            if let v = skim.value(key, in: bytes) { object.append(key, v) }
        }
        return object.isEmpty ? nil : usage(in: .object(object))
    }
}
