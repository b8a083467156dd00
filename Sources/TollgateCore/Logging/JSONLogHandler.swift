import Logging
import TollgateJSON

/// `--log-format json`: one JSON object per line on stderr, for log shippers:
/// `{"ts":"…Z","level":"info","msg":"…", …metadata in key order}`. A metadata string that is an
/// integer is written as a JSON number.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = LogLineBuilder(.json, level: event.level, message: event.message.description)
        for e in LogLine.entries(metadata, event.metadata) { line.field(e.key, e.value) }
        line.write()
    }

    static func json(_ v: Logger.MetadataValue) -> JSON {
        switch v {
        case .string(let s): return Int64(s).map { .int($0) } ?? .string(s)
        case .stringConvertible(let c): return .string(c.description)
        case .array(let a): return .array(a.map(json))
        case .dictionary(let d): return .object(JSONObject(d.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) }))
        }
    }
}
