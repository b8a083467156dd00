import TollgateJSON

/// Appends server-sent events to an output buffer. JSON payloads are serialized straight into
/// the buffer: the compact serializer escapes newlines, so one `data:` line always suffices.
enum SSEWriter {
    /// `event: <name>\ndata: <json>\n\n`; no `event:` line when `name` is nil.
    static func write(event name: String?, json: JSON, into out: inout [UInt8]) {
        writeEventLine(name, into: &out)
        out.append(contentsOf: dataPrefix)
        json.serialize(into: &out)
        out.append(contentsOf: terminator)
    }

    /// A text payload; each of its lines becomes one `data:` line, as the format requires.
    static func write(event name: String?, data: String, into out: inout [UInt8]) {
        writeEventLine(name, into: &out)
        out.append(contentsOf: dataPrefix)
        for b in data.utf8 {
            if b == 0x0A {
                out.append(0x0A)
                out.append(contentsOf: dataPrefix)
            } else if b != 0x0D {
                out.append(b)
            }
        }
        out.append(contentsOf: terminator)
    }

    /// `data: ` + already serialized JSON bytes + blank line, for encoders that build the payload
    /// by hand.
    static func writeData(_ payload: [UInt8], into out: inout [UInt8]) {
        out.append(contentsOf: dataPrefix)
        out.append(contentsOf: payload)
        out.append(contentsOf: terminator)
    }

    private static func writeEventLine(_ name: String?, into out: inout [UInt8]) {
        guard let name else { return }
        out.append(contentsOf: eventPrefix)
        out.append(contentsOf: name.utf8)
        out.append(0x0A)
    }

    static let eventPrefix: [UInt8] = Array("event: ".utf8)
    static let dataPrefix: [UInt8] = Array("data: ".utf8)
    static let terminator: [UInt8] = [0x0A, 0x0A]
    /// OpenAI's end-of-stream sentinel.
    static let done: [UInt8] = Array("data: [DONE]\n\n".utf8)
}
