/// An incremental `text/event-stream` parser (WHATWG HTML §9.2.6). Bytes may arrive split
/// anywhere — inside a line, between CR and LF, inside a UTF-8 sequence — so only whole lines
/// are decoded; a partial line waits in `line` for the next `feed`.
struct SSEParser {
    /// Bytes of the line not yet terminated.
    private var line: [UInt8] = []
    /// The `data:` lines of the event being built, joined by LF.
    private var data: [UInt8] = []
    private var hasData = false
    private var eventType: String?
    /// The previous chunk ended in CR: an LF opening this one ends that same line.
    private var pendingLF = false
    private var firstLine = true

    init() {}

    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [SSEEvent] {
        var events: [SSEEvent] = []
        let n = bytes.count
        var i = 0
        if pendingLF, n > 0 {
            pendingLF = false
            if bytes[0] == Self.lf { i = 1 }
        }
        var start = i
        while i < n {
            let b = bytes[i]
            guard b == Self.lf || b == Self.cr else {
                i += 1
                continue
            }
            if line.isEmpty {
                processLine(UnsafeRawBufferPointer(rebasing: bytes[start..<i]), into: &events)
            } else {
                line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
                let whole = line
                line.removeAll(keepingCapacity: true)
                whole.withUnsafeBytes { processLine($0, into: &events) }
            }
            if b == Self.cr {
                if i + 1 < n {
                    if bytes[i + 1] == Self.lf { i += 1 }
                } else {
                    pendingLF = true
                }
            }
            i += 1
            start = i
        }
        if start < n { line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<n])) }
        return events
    }

    mutating func feed(_ bytes: [UInt8]) -> [SSEEvent] {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// The connection closed. The spec drops an event not ended by a blank line; we dispatch it,
    /// because some OpenAI-compatible servers close right after `data: [DONE]` with no blank line.
    mutating func finish() -> [SSEEvent] {
        var events: [SSEEvent] = []
        if !line.isEmpty {
            let whole = line
            line.removeAll()
            whole.withUnsafeBytes { processLine($0, into: &events) }
        }
        dispatch(into: &events)
        pendingLF = false
        firstLine = true
        return events
    }

    private mutating func processLine(_ raw: UnsafeRawBufferPointer, into events: inout [SSEEvent]) {
        var bytes = raw
        if firstLine {
            firstLine = false
            // A UTF-8 byte order mark may open the stream; it is not part of the first field.
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
                bytes = UnsafeRawBufferPointer(rebasing: bytes[3...])
            }
        }
        if bytes.isEmpty {
            dispatch(into: &events)
            return
        }
        if bytes[0] == UInt8(ascii: ":") { return }  // comment, e.g. OpenRouter's ": PROCESSING"
        var colon = bytes.count
        for k in 0..<bytes.count where bytes[k] == UInt8(ascii: ":") {
            colon = k
            break
        }
        let name = UnsafeRawBufferPointer(rebasing: bytes[0..<colon])
        var valueStart = colon < bytes.count ? colon + 1 : colon
        if valueStart < bytes.count, bytes[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = UnsafeRawBufferPointer(rebasing: bytes[valueStart...])
        if Self.equals(name, "data") {
            if hasData { data.append(Self.lf) }
            data.append(contentsOf: value)
            hasData = true
        } else if Self.equals(name, "event") {
            eventType = String(decoding: value, as: UTF8.self)
        }
        // `id`, `retry` and unknown fields are ignored (see SSEEvent).
    }

    private mutating func dispatch(into events: inout [SSEEvent]) {
        if hasData {
            events.append(SSEEvent(event: eventType, data: String(decoding: data, as: UTF8.self)))
        }
        data.removeAll(keepingCapacity: true)
        hasData = false
        eventType = nil
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        let w = word.utf8Start
        for k in 0..<bytes.count where bytes[k] != w[k] { return false }
        return true
    }

    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D
}
