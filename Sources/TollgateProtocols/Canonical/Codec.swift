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

extension ProtocolCodec {
    /// Usage from the last bytes of a response body too large to keep whole: every protocol
    /// puts its usage object near the end, so the last `"<usage key>": {…}` in `tail` is parsed.
    /// Nil when no complete usage object is in it.
    public static func usage(inTail bytes: UnsafeRawBufferPointer) -> Usage? {
        var object = JSONObject()
        for key in usageKeys {
            if let v = TailValue.lastObject(named: key, in: bytes) { object.append(key, v) }
        }
        return object.isEmpty ? nil : usage(in: .object(object))
    }
}

/// Finds `"name": {…}` in a fragment of JSON, from its end, without parsing the rest.
enum TailValue {
    static func lastObject(named name: String, in bytes: UnsafeRawBufferPointer) -> JSON? {
        let needle = Array("\"\(name)\"".utf8)
        guard bytes.count > needle.count else { return nil }
        var start = bytes.count - needle.count
        while start >= 0 {
            if matches(needle, at: start, in: bytes), let v = object(after: start + needle.count, in: bytes) { return v }
            start -= 1
        }
        return nil
    }

    private static func matches(_ needle: [UInt8], at i: Int, in bytes: UnsafeRawBufferPointer) -> Bool {
        for k in 0..<needle.count where bytes[i + k] != needle[k] { return false }
        return true
    }

    /// The object value after a key: `: {` … the brace that closes it, strings respected.
    private static func object(after i: Int, in bytes: UnsafeRawBufferPointer) -> JSON? {
        var j = i
        func skipSpace() { while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x0A || bytes[j] == 0x0D || bytes[j] == 0x09 { j += 1 } }
        skipSpace()
        guard j < bytes.count, bytes[j] == UInt8(ascii: ":") else { return nil }
        j += 1
        skipSpace()
        guard j < bytes.count, bytes[j] == UInt8(ascii: "{") else { return nil }
        let open = j
        var depth = 0
        var inString = false
        while j < bytes.count {
            let b = bytes[j]
            if inString {
                if b == UInt8(ascii: "\\") { j += 1 } else if b == UInt8(ascii: "\"") { inString = false }
            } else if b == UInt8(ascii: "\"") {
                inString = true
            } else if b == UInt8(ascii: "{") {
                depth += 1
            } else if b == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 {
                    return try? JSON.parse(UnsafeRawBufferPointer(rebasing: bytes[open...j]))
                }
            }
            j += 1
        }
        return nil
    }
}
