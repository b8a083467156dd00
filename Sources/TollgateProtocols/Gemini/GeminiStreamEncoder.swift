import TollgateJSON

/// Canonical events → `streamGenerateContent?alt=sse` for a Gemini client: one
/// `data: {GenerateContentResponse}` per text or thought delta. Function calls are held until
/// the finish (Gemini sends each call whole, with parsed args) and go out in the last chunk
/// together with `finishReason` and `usageMetadata`, as Gemini itself does.
struct GeminiStreamEncoder: StreamEncoder {
    private var responseID = ""
    private var model: String
    private var calls: [(index: Int, id: String, name: String, arguments: String)] = []
    private var stop: StopReason?
    private var usage = Usage()
    private var done = false

    init(_ options: StreamEncoderOptions) { model = options.model }

    mutating func encode(_ event: StreamEvent, into out: inout [UInt8]) {
        guard !done else { return }
        switch event {
        case .start(let id, let m):
            responseID = id
            if !m.isEmpty { model = m }
        case .textDelta(let t):
            chunk(parts: [["text": .string(t)]], into: &out)
        case .thinkingDelta(let t):
            chunk(parts: [["text": .string(t), "thought": true]], into: &out)
        case .thinkingSignature(let s):
            // Another provider's signature (Anthropic's) rides on an empty thought part after
            // the thought's text; a client that sends its history back returns it, and the
            // request decoder joins it to the thought it signs. Gemini's own text-part
            // signatures (wrapped) are not thoughts' and stay off.
            guard !s.isEmpty, GeminiTextSignature.unwrap(s) == nil else { break }
            chunk(parts: [["text": "", "thought": true, "thoughtSignature": .string(s)]], into: &out)
        case .redactedThinking:
            break  // no Gemini part carries it (docs/conformance.md)
        case .toolCallStart(let index, let id, let name):
            calls.append((index, id, name, ""))
        case .toolCallArgumentsDelta(let index, let fragment):
            if let k = calls.lastIndex(where: { $0.index == index }) { calls[k].arguments += fragment }
        case .finish(let reason):
            stop = reason
        case .usage(let u):
            usage.merge(u)
        case .end:
            done = true
            var parts = calls.compactMap { c in
                GeminiResponseEncoder.part(.toolUse(id: c.id, name: c.name, input: arguments(c.arguments)))
            }
            if parts.isEmpty { parts = [["text": ""]] }
            chunk(parts: parts, final: true, into: &out)
        case .error(let e):
            done = true
            frame(GeminiErrors.encode(e), into: &out)
        }
    }

    private func arguments(_ raw: String) -> JSON {
        raw.isEmpty ? [:] : ((try? JSON.parse(raw)) ?? .string(raw))
    }

    private func chunk(parts: [JSON], final: Bool = false, into out: inout [UInt8]) {
        var candidate: JSONObject = ["content": ["role": "model", "parts": .array(parts)]]
        if final, let stop { candidate.append("finishReason", .string(GeminiFinishReason.encode(stop))) }
        candidate.append("index", 0)
        var o: JSONObject = ["candidates": [.object(candidate)]]
        if final { o.append("usageMetadata", GeminiUsage.encode(usage)) }
        o.append("modelVersion", .string(model))
        if !responseID.isEmpty { o.append("responseId", .string(responseID)) }
        frame(.object(o), into: &out)
    }

    /// Google's own framing: `data: ` with a space and a CRLF blank line, which every Gemini
    /// SDK's line splitter accepts.
    private func frame(_ json: JSON, into out: inout [UInt8]) {
        out.append(contentsOf: "data: ".utf8)
        json.serialize(into: &out)
        out.append(contentsOf: "\r\n\r\n".utf8)
    }
}
