import Testing
import TollgateJSON
@testable import TollgateProtocols

private func decodeByteByByte(_ text: String) -> [StreamEvent] {
    var d = OllamaCodec.makeStreamDecoder()
    var out: [StreamEvent] = []
    for b in Array(text.utf8) { out += d.feed([b]) }
    return out + d.finish()
}

/// The encoder stamps lines with the current time; tests compare everything else.
private func encodeLines(_ events: [StreamEvent]) throws -> [JSON] {
    var e = OllamaCodec.makeStreamEncoder(StreamEncoderOptions(model: "fallback"))
    var out: [UInt8] = []
    for ev in events { e.encode(ev, into: &out) }
    return try out.split(separator: 0x0A).map { line in
        var j = try JSON.parse(Array(line))
        #expect(j["created_at"]?.string.flatMap(OllamaTime.parse) != nil || j["error"] != nil)
        j["created_at"] = nil
        return j
    }
}

@Suite struct OllamaStreamTests {
    @Test func decodesOneByteAtATime() {
        let wire = """
            {"model":"qwen3","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"","thinking":"hmm"},"done":false}
            {"model":"qwen3","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"Grüße"},"done":false}\r
            {"model":"qwen3","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"",\
            "tool_calls":[{"function":{"name":"f","arguments":{"a":"🙂"}}}]},"done":false}

            {"model":"qwen3","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done":true,\
            "done_reason":"stop","prompt_eval_count":7,"eval_count":9}
            """
        #expect(decodeByteByByte(wire) == [
            .start(id: "", model: "qwen3"), .thinkingDelta("hmm"), .textDelta("Grüße"),
            .toolCallStart(index: 0, id: "call_0", name: "f"), .toolCallArgumentsDelta(index: 0, fragment: #"{"a":"🙂"}"#),
            .finish(.toolUse), .usage(Usage(inputTokens: 7, outputTokens: 9)), .end,
        ])
    }

    @Test func errorLineAndTruncation() {
        #expect(decodeByteByByte("{\"model\":\"m\",\"message\":{\"content\":\"a\"},\"done\":false}\n{\"error\":\"out of memory\"}\n") == [
            .start(id: "", model: "m"), .textDelta("a"), .error(GatewayError(status: 500, kind: .apiError, message: "out of memory")),
        ])
        let cut = decodeByteByByte("{\"model\":\"m\",\"message\":{\"content\":\"a\"},\"done\":false}\n")
        #expect(cut.count == 3)
        if case .error(let e)? = cut.last { #expect(e.status == 502) } else { Issue.record("expected an error") }
    }

    @Test func encodesLines() throws {
        let lines = try encodeLines([
            .start(id: "chatcmpl-1", model: "gpt-4o"), .thinkingDelta("t"), .textDelta("Hi"),
            .toolCallStart(index: 0, id: "c", name: "f"), .toolCallArgumentsDelta(index: 0, fragment: #"{"a""#),
            .toolCallArgumentsDelta(index: 0, fragment: ":2}"), .finish(.toolUse),
            .usage(Usage(inputTokens: 4, outputTokens: 6)), .end,
        ])
        #expect(lines.map(\.jsonString) == [
            #"{"model":"gpt-4o","message":{"role":"assistant","content":"","thinking":"t"},"done":false}"#,
            #"{"model":"gpt-4o","message":{"role":"assistant","content":"Hi"},"done":false}"#,
            #"{"model":"gpt-4o","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{"a":2}}}]},"done":false}"#,
            #"{"model":"gpt-4o","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":4,"eval_count":6}"#,
        ])
    }

    @Test func encodesErrorLine() throws {
        let lines = try encodeLines([.start(id: "", model: ""), .error(GatewayError(status: 429, kind: .rateLimit, message: "slow down")), .end])
        #expect(lines == [["error": "slow down"]])
    }

    @Test func encoderOutputDecodesBack() {
        var e = OllamaCodec.makeStreamEncoder(StreamEncoderOptions(model: "m"))
        var out: [UInt8] = []
        let events: [StreamEvent] = [
            .start(id: "", model: "m"), .textDelta("a"), .finish(.maxTokens), .usage(Usage(inputTokens: 1, outputTokens: 2)), .end,
        ]
        for ev in events { e.encode(ev, into: &out) }
        #expect(decodeByteByByte(String(decoding: out, as: UTF8.self)) == events)
    }

    @Test func splitterHandlesCRLFBlankAndUnterminatedLines() {
        var s = NDJSONSplitter()
        var lines: [[UInt8]] = []
        for b in Array("a\r\n\n  \nb".utf8) { lines += [b].withUnsafeBytes { s.feed($0) } }
        lines += s.finish()
        #expect(lines == [Array("a".utf8), Array("b".utf8)])
    }
}
