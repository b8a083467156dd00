import NIOCore

/// An answer read whole before it is relayed (errors, and what a transformer must see whole),
/// bounded by `server.max_buffered_answer_bytes`.
struct BufferedAnswer {
    private(set) var bytes = ByteBuffer()
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// False, and nothing kept, once the answer would pass the limit. Kept in a stored property
    /// and appended in place: inside the exchange's state enum, every append found the buffer
    /// shared with the value switched on and copied it whole (quadratic: a 48 MiB answer took
    /// 15 s of CPU).
    mutating func append(_ part: ByteBuffer) -> Bool {
        guard bytes.readableBytes + part.readableBytes <= limit else {
            bytes = ByteBuffer()
            return false
        }
        if bytes.readableBytes == 0 {
            bytes = part  // the usual answer comes in one part: no copy
        } else {
            var part = part
            bytes.writeBuffer(&part)
        }
        return true
    }

    /// The answer, handed over; the buffer is empty after.
    mutating func take() -> ByteBuffer {
        defer { bytes = ByteBuffer() }
        return bytes
    }
}
