/// Stand-ins for protocols whose stream codec has not landed yet.
struct NoStreamDecoder: StreamDecoder {
    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [StreamEvent] { [] }
    mutating func finish() -> [StreamEvent] { [] }
}

struct NoStreamEncoder: StreamEncoder {
    mutating func encode(_ event: StreamEvent, into out: inout [UInt8]) {}
}
