import Testing
import TollgateJSON

@testable import TollgateProtocols

@Suite struct SSEParserTests {
    /// Feeds `text` in pieces cut at `cuts` (byte offsets), then finishes.
    static func parse(_ bytes: [UInt8], cuts: [Int] = []) -> [SSEEvent] {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        var last = 0
        for c in cuts + [bytes.count] {
            events += parser.feed(Array(bytes[last..<c]))
            last = c
        }
        return events + parser.finish()
    }

    static func parse(_ text: String) -> [SSEEvent] { parse(Array(text.utf8)) }

    @Test func dataOnlyEvents() {
        let events = Self.parse("data: {\"a\":1}\n\ndata: [DONE]\n\n")
        #expect(events == [SSEEvent(data: "{\"a\":1}"), SSEEvent(data: "[DONE]")])
    }

    @Test func namedEvents() {
        let events = Self.parse("event: message_start\ndata: {}\n\nevent: ping\ndata: {\"type\": \"ping\"}\n\n")
        #expect(events == [SSEEvent(event: "message_start", data: "{}"), SSEEvent(event: "ping", data: "{\"type\": \"ping\"}")])
    }

    @Test func eventNameDoesNotLeakIntoNextEvent() {
        let events = Self.parse("event: a\ndata: 1\n\ndata: 2\n\n")
        #expect(events == [SSEEvent(event: "a", data: "1"), SSEEvent(data: "2")])
    }

    @Test func multipleDataLinesJoinWithNewline() {
        #expect(Self.parse("data: a\ndata: b\ndata:\n\n") == [SSEEvent(data: "a\nb\n")])
    }

    @Test func onlyOneLeadingSpaceIsStripped() {
        #expect(Self.parse("data:x\n\ndata:  y\n\n") == [SSEEvent(data: "x"), SSEEvent(data: " y")])
    }

    @Test func emptyDataLineDispatchesEmptyString() {
        #expect(Self.parse("data:\n\n") == [SSEEvent(data: "")])
    }

    @Test func commentsAndUnknownFieldsAreIgnored() {
        let events = Self.parse(": OPENROUTER PROCESSING\n\nid: 7\nretry: 100\nfoo: bar\ndata: x\n\n")
        #expect(events == [SSEEvent(data: "x")])
    }

    @Test func eventWithoutDataIsNotDispatched() {
        #expect(Self.parse("event: ping\n\n").isEmpty)
    }

    @Test func crlfAndCrLineEndings() {
        #expect(Self.parse("data: a\r\n\r\ndata: b\r\rdata: c\n\n") == [SSEEvent(data: "a"), SSEEvent(data: "b"), SSEEvent(data: "c")])
    }

    @Test func crlfSplitAcrossFeedsIsOneLineEnd() {
        let bytes = Array("data: a\r\n\r\ndata: b\r\n\r\n".utf8)
        for cut in 1..<bytes.count {
            #expect(Self.parse(bytes, cuts: [cut]) == [SSEEvent(data: "a"), SSEEvent(data: "b")], "cut at \(cut)")
        }
    }

    @Test func byteOrderMarkIsStripped() {
        #expect(Self.parse([0xEF, 0xBB, 0xBF] + Array("data: x\n\n".utf8)) == [SSEEvent(data: "x")])
    }

    @Test func finishDispatchesUnterminatedEvent() {
        #expect(Self.parse("data: [DONE]") == [SSEEvent(data: "[DONE]")])
        #expect(Self.parse("data: [DONE]\n") == [SSEEvent(data: "[DONE]")])
    }

    @Test func everySplitPointGivesTheSameEvents() {
        let text = "event: content_block_delta\r\ndata: {\"text\":\"héllo wörld 👋🏽 日本\"}\r\n\r\n: keepalive\n\ndata: a\ndata: b\n\n"
        let bytes = Array(text.utf8)
        let expected = Self.parse(bytes)
        #expect(expected.count == 2)
        for cut in 0...bytes.count {
            #expect(Self.parse(bytes, cuts: [cut]) == expected, "cut at \(cut)")
        }
        for a in stride(from: 1, to: bytes.count, by: 3) {
            for b in stride(from: a, to: bytes.count, by: 5) {
                #expect(Self.parse(bytes, cuts: [a, b]) == expected)
            }
        }
    }

    @Test func oneByteAtATime() {
        let bytes = Array("data: 👋🏽\n\nevent: x\ndata: 日本語\n\n".utf8)
        #expect(Self.parse(bytes, cuts: Array(1..<bytes.count)) == [SSEEvent(data: "👋🏽"), SSEEvent(event: "x", data: "日本語")])
    }

    @Test func parserIsReusableAfterFinish() {
        var p = SSEParser()
        _ = p.feed(Array("data: a".utf8))
        #expect(p.finish() == [SSEEvent(data: "a")])
        #expect(p.feed(Array("data: b\n\n".utf8)) == [SSEEvent(data: "b")])
    }
}

@Suite struct SSEWriterTests {
    @Test func jsonEventWithName() {
        var out: [UInt8] = []
        SSEWriter.write(event: "ping", json: ["type": "ping", "text": "a\nb"], into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "event: ping\ndata: {\"type\":\"ping\",\"text\":\"a\\nb\"}\n\n")
    }

    @Test func multilineTextSplitsIntoDataLines() {
        var out: [UInt8] = []
        SSEWriter.write(event: nil, data: "a\r\nb\nc", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "data: a\ndata: b\ndata: c\n\n")
        var p = SSEParser()
        #expect(p.feed(out) == [SSEEvent(data: "a\nb\nc")])
    }

    @Test func doneSentinel() {
        #expect(String(decoding: SSEWriter.done, as: UTF8.self) == "data: [DONE]\n\n")
    }
}
