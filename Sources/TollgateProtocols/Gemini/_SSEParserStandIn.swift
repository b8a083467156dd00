// STAND-IN: delete at merge. The real `SSEParser` lives in SSE/SSEParser.swift on branch proto-oa;
// this private copy has the same API so the Gemini and Responses codecs compile meanwhile.

/// One server-sent event: the `event:` field (nil when absent) and the `data:` lines joined by "\n".
struct SSEEvent: Sendable, Equatable {
    var event: String?
    var data: String
}

/// Incremental SSE framing (WHATWG rules that matter to LLM streams): lines end in LF, CRLF or
/// CR; a blank line dispatches; `:` lines are comments; one space after the colon is dropped.
/// Bytes are kept raw until a line is complete, so UTF-8 sequences may split across feeds.
struct SSEParser: Sendable {
    private var line: [UInt8] = []
    private var event: String?
    private var data: [String] = []
    private var hasData = false
    private var lastWasCR = false

    init() {}

    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [SSEEvent] {
        var out: [SSEEvent] = []
        for b in bytes {
            if b == 0x0A, lastWasCR { lastWasCR = false; continue }  // the LF of a CRLF
            lastWasCR = b == 0x0D
            if b == 0x0A || b == 0x0D {
                endLine(into: &out)
            } else {
                line.append(b)
            }
        }
        return out
    }

    mutating func finish() -> [SSEEvent] {
        var out: [SSEEvent] = []
        if !line.isEmpty { endLine(into: &out) }
        endLine(into: &out)  // a stream may close without the final blank line
        return out
    }

    private mutating func endLine(into out: inout [SSEEvent]) {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            if hasData { out.append(SSEEvent(event: event, data: data.joined(separator: "\n"))) }
            event = nil
            data.removeAll(keepingCapacity: true)
            hasData = false
            return
        }
        if line[0] == UInt8(ascii: ":") { return }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        let name = String(decoding: line[..<colon], as: UTF8.self)
        var valueStart = colon < line.endIndex ? colon + 1 : colon
        if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = String(decoding: line[valueStart...], as: UTF8.self)
        switch name {
        case "data": data.append(value); hasData = true
        case "event": event = value
        default: break  // id, retry: not needed by any LLM stream
        }
    }
}
