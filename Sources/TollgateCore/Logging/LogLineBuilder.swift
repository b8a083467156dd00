import Logging
import TollgateJSON

/// One log line in the format of the gateway's handlers, built field by field: the handlers
/// build every line with it, and a caller that knows its fields in key order (the access log,
/// once per request) builds its line directly, skipping the metadata dictionary, its sort and
/// the existential values, which cost several times the line itself.
public struct LogLineBuilder {
    public enum Format: Sendable { case text, json }

    private var bytes: [UInt8] = []
    private let format: Format

    /// The format `logger` writes lines in, when its handler is one of the gateway's and adds
    /// no metadata of its own; nil otherwise (log through `logger` then).
    public static func format(of logger: Logger) -> Format? {
        guard let h = logger.handler as? GatewayLogHandler, h.metadata.isEmpty else { return nil }
        return h.format
    }

    public init(_ format: Format, level: Logger.Level, message: String) {
        self.format = format
        bytes.reserveCapacity(320)
        switch format {
        case .text:
            bytes.append(contentsOf: Self.levelName(level).utf8)
            bytes.append(UInt8(ascii: " "))
            bytes.append(contentsOf: message.utf8)
        case .json:
            bytes.append(contentsOf: #"{"ts":""#.utf8)
            LogLine.appendTimestamp(to: &bytes)
            bytes.append(contentsOf: #"","level":""#.utf8)
            bytes.append(contentsOf: level.rawValue.utf8)
            bytes.append(contentsOf: #"","msg":"#.utf8)
            JSON.writeString(message, into: &bytes)
        }
    }

    /// A text value; in JSON a string, unless it reads as an integer (then a number).
    public mutating func field(_ key: String, _ value: String) {
        start(key)
        switch format {
        case .text: bytes.append(contentsOf: value.utf8)
        case .json:
            if let i = Int64(value) { bytes.append(contentsOf: String(i).utf8) } else { JSON.writeString(value, into: &bytes) }
        }
    }

    public mutating func field(_ key: String, _ value: Int) {
        start(key)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func field(_ key: String, _ value: Logger.MetadataValue) {
        if case .string(let s) = value { return field(key, s) }
        start(key)
        switch format {
        case .text: bytes.append(contentsOf: value.description.utf8)
        case .json: bytes.append(contentsOf: Self.json(value).serialized())
        }
    }

    private mutating func start(_ key: String) {
        switch format {
        case .text:
            bytes.append(UInt8(ascii: " "))
            bytes.append(contentsOf: key.utf8)
            bytes.append(UInt8(ascii: "="))
        case .json:
            bytes.append(UInt8(ascii: ","))
            JSON.writeString(key, into: &bytes)
            bytes.append(UInt8(ascii: ":"))
        }
    }

    static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace: return "TRACE"
        case .debug: return "DEBUG"
        case .info: return "INFO"
        case .notice: return "NOTICE"
        case .warning: return "WARNING"
        case .error: return "ERROR"
        case .critical: return "CRITICAL"
        }
    }

    /// A structured metadata value as JSON; a string that is an integer becomes a number.
    static func json(_ v: Logger.MetadataValue) -> JSON {
        switch v {
        case .string(let s): return Int64(s).map { .int($0) } ?? .string(s)
        case .stringConvertible(let c): return .string(c.description)
        case .array(let a): return .array(a.map(json))
        case .dictionary(let d): return .object(JSONObject(d.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) }))
        }
    }

    /// Ends the line and writes it with one `write(2)`.
    public mutating func write() {
        LogLine.write(finished())
    }

    /// The whole line, newline included.
    func finished() -> [UInt8] {
        var out = bytes
        if format == .json { out.append(UInt8(ascii: "}")) }
        out.append(0x0A)
        return out
    }
}
