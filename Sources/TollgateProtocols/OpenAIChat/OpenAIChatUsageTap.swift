import TollgateJSON

/// Watches an OpenAI chat stream that passes through untranslated, for its usage. When the
/// gateway itself asked for the usage chunk (`stream_options.include_usage`, so that it can
/// account a client that did not), it also removes that chunk, which such a client does not
/// expect: its `choices` is empty. Every other event goes out with its payload unchanged.
public struct OpenAIChatUsageTap {
    private var parser = SSEParser()
    private let stripUsageChunk: Bool
    public private(set) var usage: Usage?

    public init(stripUsageChunk: Bool) {
        self.stripUsageChunk = stripUsageChunk
    }

    /// Returns the bytes to forward for what `bytes` completed.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        relay(parser.feed(bytes))
    }

    public mutating func finish() -> [UInt8] {
        relay(parser.finish())
    }

    private mutating func relay(_ events: [SSEEvent]) -> [UInt8] {
        var out: [UInt8] = []
        for e in events {
            // Only a chunk that names usage is worth parsing.
            if e.data.utf8.count > 8, e.data.firstRange(of: "\"usage\"") != nil,
                let json = try? JSON.parse(e.data), let u = OpenAIChatCodec.usage(in: json)
            {
                usage = u
                if stripUsageChunk, json["choices"]?.array?.isEmpty ?? true { continue }
            }
            SSEWriter.write(event: e.event, data: e.data, into: &out)
        }
        return out
    }
}
