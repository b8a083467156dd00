import Testing
import TollgateJSON

@testable import TollgateProtocols

/// Drives stream codecs in tests: feeding bytes at chosen split points, encoding event lists.
enum StreamHarness {
    static func decode(_ make: () -> any StreamDecoder, _ bytes: [UInt8], cuts: [Int] = []) -> [StreamEvent] {
        var decoder = make()
        var events: [StreamEvent] = []
        var last = 0
        for c in cuts + [bytes.count] where c >= last {
            events += decoder.feed(Array(bytes[last..<c]))
            last = c
        }
        return events + decoder.finish()
    }

    static func decodeByteByByte(_ make: () -> any StreamDecoder, _ bytes: [UInt8]) -> [StreamEvent] {
        decode(make, bytes, cuts: Array(1..<max(bytes.count, 1)))
    }

    static func encode(_ encoder: any StreamEncoder, _ events: [StreamEvent]) -> [UInt8] {
        var enc = encoder
        var out: [UInt8] = []
        for e in events { enc.encode(e, into: &out) }
        return out
    }

    /// The `data:` payloads of an encoded stream, parsed, with their event names.
    static func payloads(_ bytes: [UInt8]) -> [(event: String?, json: JSON?, raw: String)] {
        var p = SSEParser()
        return (p.feed(bytes) + p.finish()).map { e in (e.event, try? JSON.parse(e.data), e.data) }
    }

    static func json(_ text: String) -> JSON {
        do { return try JSON.parse(text) } catch {
            Issue.record("bad JSON in test: \(error)")
            return .null
        }
    }

    /// Serialized and parsed again, so `1.0` and `1` compare equal as they do on the wire.
    static func normalized(_ j: JSON) -> JSON {
        (try? JSON.parse(j.serialized())) ?? .null
    }

    static func sse(_ lines: [String]) -> [UInt8] {
        Array(lines.map { "data: \($0)\n\n" }.joined().utf8)
    }
}
