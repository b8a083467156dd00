import Testing
import TollgateJSON
@testable import TollgateProtocols

private func decodeByteByByte(_ text: String) -> [StreamEvent] {
    var d = ResponsesCodec.makeStreamDecoder()
    var out: [StreamEvent] = []
    for b in Array(text.utf8) { out += d.feed([b]) }
    return out + d.finish()
}

private func encode(_ events: [StreamEvent]) -> String {
    var e = ResponsesCodec.makeStreamEncoder(StreamEncoderOptions(model: "fallback"))
    var out: [UInt8] = []
    for ev in events { e.encode(ev, into: &out) }
    return String(decoding: out, as: UTF8.self)
}

/// The encoder's SSE events as (event name, data object).
private func frames(_ s: String) throws -> [(String?, JSON)] {
    var p = SSEParser()
    let bytes = Array(s.utf8)
    let events = bytes.withUnsafeBytes { p.feed($0) } + p.finish()
    return try events.map { ($0.event, try JSON.parse($0.data)) }
}

/// What openai-python's ResponseStreamState.accumulate_event does, reading the same fields:
/// a snapshot from response.created, items appended on output_item.added, parts on
/// content_part.added, text and arguments grown by deltas, and the final response from
/// response.completed. A missing field fails the test as it would fail the SDK.
private struct SDKAccumulator {
    var snapshot: JSON?
    var final: JSON?

    mutating func handle(_ ev: JSON) throws {
        let type = try #require(ev["type"]?.string)
        _ = try #require(ev["sequence_number"]?.int)
        guard var snap = snapshot else {
            #expect(type == "response.created")
            snapshot = try #require(ev["response"])
            return
        }
        var output = snap["output"]?.array ?? []
        switch type {
        case "response.output_item.added":
            let item = try #require(ev["item"])
            #expect(try #require(ev["output_index"]?.int) == output.count)
            output.append(item)
        case "response.content_part.added":
            let i = try #require(ev["output_index"]?.int)
            _ = try #require(ev["item_id"]?.string)
            var content = output[i]["content"]?.array ?? []
            content.append(try #require(ev["part"]))
            output[i]["content"] = .array(content)
        case "response.output_text.delta":
            let i = try #require(ev["output_index"]?.int), c = try #require(ev["content_index"]?.int)
            _ = try #require(ev["logprobs"])
            var content = try #require(output[i]["content"]?.array)
            content[c]["text"] = .string((content[c]["text"]?.string ?? "") + (try #require(ev["delta"]?.string)))
            output[i]["content"] = .array(content)
        case "response.output_text.done":
            _ = try #require(ev["logprobs"])
            let i = try #require(ev["output_index"]?.int), c = try #require(ev["content_index"]?.int)
            #expect(output[i]["content"]?[c]?["text"] == ev["text"])
        case "response.function_call_arguments.delta":
            let i = try #require(ev["output_index"]?.int)
            #expect(output[i]["type"] == "function_call")
            output[i]["arguments"] = .string((output[i]["arguments"]?.string ?? "") + (try #require(ev["delta"]?.string)))
        case "response.completed":
            final = try #require(ev["response"])
        default:
            break
        }
        snap["output"] = .array(output)
        snapshot = snap
    }
}

@Suite struct ResponsesStreamEncoderTests {
    static let events: [StreamEvent] = [
        .start(id: "msg_1", model: "claude-x"),
        .thinkingDelta("let me "), .thinkingDelta("see"), .thinkingSignature("SIG"),
        .textDelta("Hel"), .textDelta("lo"),
        .toolCallStart(index: 0, id: "toolu_a", name: "f"),
        .toolCallStart(index: 1, id: "toolu_b", name: "g"),
        .toolCallArgumentsDelta(index: 0, fragment: #"{"a""#),
        .toolCallArgumentsDelta(index: 1, fragment: "{}"),
        .toolCallArgumentsDelta(index: 0, fragment: ":1}"),
        .finish(.toolUse),
        .usage(Usage(inputTokens: 10, outputTokens: 5, reasoningTokens: 2)),
        .end,
    ]

    @Test func sdkAccumulatorRebuildsTheAnswer() throws {
        var acc = SDKAccumulator()
        for (_, ev) in try frames(encode(Self.events)) { try acc.handle(ev) }
        let final = try #require(acc.final)
        #expect(final["status"] == "completed")
        #expect(final["model"] == "claude-x")
        #expect(final["usage"]?["output_tokens_details"]?["reasoning_tokens"] == 2)
        let out = try #require(final["output"]?.array)
        #expect(out.map { $0["type"]?.string ?? "" } == ["reasoning", "message", "function_call", "function_call"])
        #expect(out[0]["summary"] == [["type": "summary_text", "text": "let me see"]])
        #expect(out[0]["encrypted_content"] == "SIG")
        #expect(out[1]["content"] == [["type": "output_text", "text": "Hello", "annotations": []]])
        #expect(out[2]["arguments"] == #"{"a":1}"#)
        #expect(out[2]["call_id"] == "toolu_a")
        #expect(out[3]["arguments"] == "{}")
        // The snapshot the SDK grew from deltas matches the final output.
        let snap = try #require(acc.snapshot?["output"]?.array)
        #expect(snap[1]["content"]?[0]?["text"] == "Hello")
        #expect(snap[2]["arguments"] == #"{"a":1}"#)
        #expect(snap[3]["arguments"] == "{}")
    }

    @Test func eventOrderAndNumbering() throws {
        let f = try frames(encode(Self.events))
        #expect(f.map { $0.0 ?? "" } == [
            "response.created", "response.in_progress",
            "response.output_item.added", "response.reasoning_summary_part.added",
            "response.reasoning_summary_text.delta", "response.reasoning_summary_text.delta",
            "response.reasoning_summary_text.done", "response.reasoning_summary_part.done", "response.output_item.done",
            "response.output_item.added", "response.content_part.added",
            "response.output_text.delta", "response.output_text.delta",
            "response.output_text.done", "response.content_part.done", "response.output_item.done",
            "response.output_item.added", "response.output_item.added",
            "response.function_call_arguments.delta", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
            "response.function_call_arguments.done", "response.output_item.done",
            "response.function_call_arguments.done", "response.output_item.done",
            "response.completed",
        ])
        for (k, (name, data)) in f.enumerated() {
            #expect(data["type"]?.string == name)
            #expect(data["sequence_number"]?.int == k)
        }
        #expect(f[0].1["response"]?["status"] == "in_progress")
        #expect(f[0].1["response"]?["id"] == "msg_1")
    }

    @Test func cutOffAnswerEndsIncomplete() throws {
        let f = try frames(encode([.start(id: "", model: ""), .textDelta("a"), .finish(.maxTokens), .end]))
        let last = try #require(f.last)
        #expect(last.0 == "response.incomplete")
        #expect(last.1["response"]?["incomplete_details"] == ["reason": "max_output_tokens"])
        #expect(last.1["response"]?["model"] == "fallback")
    }

    @Test func errorEvent() throws {
        let f = try frames(encode([.start(id: "r", model: "m"), .error(GatewayError(status: 429, kind: .rateLimit, message: "slow", code: "rate_limit_exceeded")), .end]))
        #expect(f.count == 3)
        #expect(f[2].0 == "error")
        #expect(f[2].1["code"] == "rate_limit_exceeded")
        #expect(f[2].1["message"] == "slow")
    }

    @Test func encoderOutputDecodesBack() {
        let decoded = decodeByteByByte(encode(Self.events))
        #expect(decoded == [
            .start(id: "msg_1", model: "claude-x"),
            .thinkingDelta("let me "), .thinkingDelta("see"), .thinkingSignature("SIG"),
            .textDelta("Hel"), .textDelta("lo"),
            .toolCallStart(index: 0, id: "toolu_a", name: "f"), .toolCallStart(index: 1, id: "toolu_b", name: "g"),
            .toolCallArgumentsDelta(index: 0, fragment: #"{"a""#), .toolCallArgumentsDelta(index: 1, fragment: "{}"),
            .toolCallArgumentsDelta(index: 0, fragment: ":1}"),
            .finish(.toolUse), .usage(Usage(inputTokens: 10, outputTokens: 5, reasoningTokens: 2)), .end,
        ])
    }
}

@Suite struct ResponsesStreamDecoderTests {
    @Test func openAIStreamOneByteAtATime() {
        let wire = """
            event: response.created
            data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_9","object":"response","status":"in_progress","model":"gpt-4.1","output":[]}}

            event: response.output_item.added
            data: {"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_1","type":"message","role":"assistant","content":[]}}

            event: response.output_text.delta
            data: {"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Zürich 🙂"}

            event: response.output_item.added
            data: {"type":"response.output_item.added","sequence_number":3,"output_index":1,"item":{"id":"fc_1","type":"function_call","call_id":"call_1","name":"f","arguments":""}}

            event: response.function_call_arguments.delta
            data: {"type":"response.function_call_arguments.delta","sequence_number":4,"item_id":"fc_1","output_index":1,"delta":"{}"}

            event: response.output_item.added
            data: {"type":"response.output_item.added","sequence_number":5,"output_index":2,"item":{"id":"fc_2","type":"function_call","call_id":"call_2","name":"g","arguments":""}}

            event: response.output_item.done
            data: {"type":"response.output_item.done","sequence_number":6,"output_index":2,"item":{"id":"fc_2","type":"function_call","call_id":"call_2","name":"g","arguments":"{\\"z\\":0}"}}

            event: response.completed
            data: {"type":"response.completed","sequence_number":7,"response":{"id":"resp_9","status":"completed","output":[],"usage":{"input_tokens":3,"output_tokens":4,"total_tokens":7}}}


            """
        #expect(decodeByteByByte(wire) == [
            .start(id: "resp_9", model: "gpt-4.1"), .textDelta("Zürich 🙂"),
            .toolCallStart(index: 0, id: "call_1", name: "f"), .toolCallArgumentsDelta(index: 0, fragment: "{}"),
            .toolCallStart(index: 1, id: "call_2", name: "g"), .toolCallArgumentsDelta(index: 1, fragment: #"{"z":0}"#),
            .finish(.toolUse), .usage(Usage(inputTokens: 3, outputTokens: 4)), .end,
        ])
    }

    @Test func errorsAndTruncation() {
        let err = decodeByteByByte("""
            event: error
            data: {"type":"error","sequence_number":0,"code":"rate_limit_exceeded","message":"slow","param":null}


            """)
        #expect(err == [.error(GatewayError(status: 429, kind: .rateLimit, message: "slow", code: "rate_limit_exceeded"))])
        let failed = decodeByteByByte("""
            data: {"type":"response.failed","sequence_number":3,"response":{"status":"failed","error":{"code":"server_error","message":"boom"}}}


            """)
        #expect(failed == [.error(GatewayError(status: 502, kind: .apiError, message: "boom", code: "server_error"))])
        let cut = decodeByteByByte("data: {\"type\":\"response.created\",\"response\":{\"id\":\"r\",\"model\":\"m\"}}\n\n")
        #expect(cut.count == 2)
        if case .error(let e)? = cut.last { #expect(e.status == 502) } else { Issue.record("expected an error") }
    }
}
