import Logging

/// The process's log handler, one line per event on stderr. `.text` (the default):
/// `LEVEL message key=value …`; `.json` (`--log-format json`): one object per line,
/// `{"ts":"…Z","level":"info","msg":"…", …}`, for log shippers. Metadata in key order.
public struct GatewayLogHandler: LogHandler {
    public let format: LogLineBuilder.Format
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    public init(format: LogLineBuilder.Format, level: Logger.Level = .info) {
        self.format = format
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = LogLineBuilder(format, level: event.level, message: event.message.description)
        for e in LogLine.entries(metadata, event.metadata) { line.field(e.key, e.value) }
        line.write()
    }
}
