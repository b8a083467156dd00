import NIOCore
import TollgateProtocols

/// Bounds the unfinished line a stream parser (SSE, NDJSON) holds between reads: a provider that
/// sends a line with no end would otherwise grow it without limit. It only looks back from the
/// end of each part to its last line break, so a part that ends a line (the usual one) costs a
/// byte or two.
public struct StreamLineGuard: Sendable {
    public let limit: Int
    private var pending = 0

    public init(limit: Int) { self.limit = limit }

    /// Whether the bytes after the last line break, this part's and the earlier ones', are
    /// within the limit.
    public mutating func admit(_ part: ByteBuffer) -> Bool {
        let tail = part.withUnsafeReadableBytes { buf -> Int? in
            var i = buf.count
            while i > 0 {
                let b = buf[i - 1]
                if b == 0x0A || b == 0x0D { return buf.count - i }
                i -= 1
            }
            return nil
        }
        if let tail { pending = tail } else { pending += part.readableBytes }
        return pending <= limit
    }

    public var error: GatewayError {
        GatewayError(status: 502, kind: .apiError, message: "upstream stream line longer than \(limit) bytes (server.max_stream_line_bytes)")
    }
}
