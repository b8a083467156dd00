import Logging

/// The default: `LEVEL message key=value …`, one line per event on stderr, keys in order.
public struct TextLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    public init(label: String) {}

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        line.append(contentsOf: Self.levelName(event.level).utf8)
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: event.message.description.utf8)
        for e in LogLine.entries(metadata, event.metadata) {
            let k = e.key, v = e.value
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: k.utf8)
            line.append(UInt8(ascii: "="))
            if case .string(let s) = v { line.append(contentsOf: s.utf8) } else { line.append(contentsOf: v.description.utf8) }
        }
        line.append(0x0A)
        LogLine.write(line)
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
}
