import Foundation
import Logging
import TollgateJSON

/// `--log-format json`: one JSON object per line on stderr, for log shippers.
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
        var o = JSONObject()
        o.append("ts", .string(Date().ISO8601Format(.iso8601.time(includingFractionalSeconds: true).year().month().day())))
        o.append("level", .string(event.level.rawValue))
        o.append("msg", .string(event.message.description))
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (k, v) in merged.sorted(by: { $0.key < $1.key }) { o.append(k, Self.json(v)) }
        var line = JSON.object(o).serialized()
        line.append(0x0A)
        StandardError.write(line)
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

/// The default: `LEVEL message key=value …`, one line per event on stderr.
public struct TextLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    public init(label: String) {}

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = "\(event.level.rawValue.uppercased()) \(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (k, v) in merged.sorted(by: { $0.key < $1.key }) { line += " \(k)=\(v)" }
        line += "\n"
        StandardError.write(Array(line.utf8))
    }
}

/// One `write(2)` per line, so lines from several threads never interleave mid-line.
enum StandardError {
    static func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Foundation.write(2, buf.baseAddress.map { $0 + off }, buf.count - off)
                if n <= 0 { return }
                off += n
            }
        }
    }
}
