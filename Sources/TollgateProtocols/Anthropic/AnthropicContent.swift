import TollgateJSON

/// Anthropic content blocks ⇄ canonical parts, shared by requests and responses.
enum AnthropicContent {
    // MARK: Decode

    /// `content` of a message or tool result: a string, or an array of blocks.
    static func decodeBlocks(_ v: JSON?, _ path: String) throws(GatewayError) -> [ContentPart] {
        guard let v, !v.isNull else { throw AnthropicField.missing(path) }
        if let s = v.string { return [.text(s)] }
        guard let blocks = v.array else { throw AnthropicField.invalid(path, expected: "a valid string or list") }
        var out: [ContentPart] = []
        out.reserveCapacity(blocks.count)
        for (i, b) in blocks.enumerated() { out.append(try decodeBlock(b, "\(path).\(i)")) }
        return out
    }

    static func decodeBlock(_ b: JSON, _ path: String) throws(GatewayError) -> ContentPart {
        typealias F = AnthropicField
        guard b.object != nil else { throw F.invalid(path, expected: "a valid dictionary") }
        let type = try F.requiredString(b["type"], "\(path).type")
        switch type {
        case "text":
            return .text(try F.requiredString(b["text"], "\(path).text"))
        case "image":
            return .image(try decodeImageSource(b["source"], "\(path).source"))
        case "tool_use":
            return .toolUse(
                id: try F.requiredString(b["id"], "\(path).id"), name: try F.requiredString(b["name"], "\(path).name"),
                input: b["input"] ?? .object(JSONObject()))
        case "tool_result":
            var content: [ContentPart] = []
            if let c = b["content"], !c.isNull { content = try decodeBlocks(c, "\(path).content") }
            return .toolResult(
                toolUseId: try F.requiredString(b["tool_use_id"], "\(path).tool_use_id"), content: content,
                isError: try F.bool(b["is_error"], "\(path).is_error") ?? false)
        case "thinking":
            return .thinking(
                text: try F.requiredString(b["thinking"], "\(path).thinking"),
                signature: try F.string(b["signature"], "\(path).signature"))
        case "redacted_thinking":
            return .redactedThinking(data: try F.requiredString(b["data"], "\(path).data"))
        case "document":
            // Inline documents (base64 PDF, plain text) map to a file part; by URL or file id
            // there is nothing another provider can fetch.
            let source = b["source"]
            switch try F.string(source?["type"], "\(path).source.type") {
            case "base64":
                return .file(
                    mediaType: try F.requiredString(source?["media_type"], "\(path).source.media_type"),
                    data: try F.requiredString(source?["data"], "\(path).source.data"),
                    filename: try F.string(b["title"], "\(path).title"))
            case "text":
                // A plain-text document is its text (approximated: its title and citations go).
                return .text(try F.requiredString(source?["data"], "\(path).source.data"))
            case let other:
                throw F.invalidValue(
                    "\(path).type", "content block type 'document' with source type '\(other ?? "none")' cannot be translated for this provider.")
            }
        default:
            // Search results and server-tool blocks have no canonical form; sending the
            // conversation without them would change its meaning.
            throw F.invalidValue("\(path).type", "content block type '\(type)' cannot be translated for this provider.")
        }
    }

    static func decodeImageSource(_ v: JSON?, _ path: String) throws(GatewayError) -> ImageSource {
        typealias F = AnthropicField
        guard try F.object(v, path) != nil else { throw F.missing(path) }
        let type = try F.requiredString(v?["type"], "\(path).type")
        switch type {
        case "base64":
            return .base64(
                mediaType: try F.requiredString(v?["media_type"], "\(path).media_type"),
                data: try F.requiredString(v?["data"], "\(path).data"))
        case "url":
            return .url(try F.requiredString(v?["url"], "\(path).url"))
        default:
            throw F.invalidValue("\(path).type", "image source type '\(type)' cannot be translated for this provider.")
        }
    }

    // MARK: Encode

    /// One block, or nil for parts Anthropic cannot take back: thinking without a signature
    /// (from an OpenAI-style provider) is rejected by the API, so it is left out.
    static func encodeBlock(_ part: ContentPart) -> JSON? {
        switch part {
        case .text(let t):
            return ["type": "text", "text": .string(t)]
        case .image(let source):
            return ["type": "image", "source": encodeImageSource(source)]
        case .toolUse(let id, let name, let input):
            // `input` must be an object; arguments that never parsed have no faithful form.
            return ["type": "tool_use", "id": .string(id), "name": .string(name), "input": input.object != nil ? input : [:]]
        case .toolResult(let id, let content, let isError):
            var b: JSONObject = ["type": "tool_result", "tool_use_id": .string(id)]
            if content.count == 1, case .text(let t) = content[0] {
                b.append("content", .string(t))
            } else if !content.isEmpty {
                b.append("content", .array(encodeBlocks(content)))
            }
            if isError { b.append("is_error", true) }
            return .object(b)
        case .thinking(let text, let signature):
            // Unsigned thinking, and Gemini's text-part signatures, Anthropic would reject.
            guard let signature, !signature.isEmpty, GeminiTextSignature.unwrap(signature) == nil else { return nil }
            return ["type": "thinking", "thinking": .string(text), "signature": .string(signature)]
        case .redactedThinking(let data):
            return ["type": "redacted_thinking", "data": .string(data)]
        case .cacheBreakpoint:
            return nil  // see encodeBlocks: it marks the block before it
        case .file(let mediaType, let data, let filename):
            var b: JSONObject = ["type": "document", "source": ["type": "base64", "media_type": .string(mediaType), "data": .string(data)]]
            if let filename { b.append("title", .string(filename)) }
            return .object(b)
        }
    }

    /// The blocks of `parts`, each cache breakpoint set as `cache_control` on the block it
    /// follows. `toolResultsFirst`: a user turn's tool results lead it, as Anthropic requires
    /// (a breakpoint moves with the part it marks).
    static func encodeBlocks(_ parts: [ContentPart], toolResultsFirst: Bool = false) -> [JSON] {
        var marked: [(part: ContentPart, cache: JSON?)] = []
        marked.reserveCapacity(parts.count)
        for p in parts {
            if case .cacheBreakpoint(let cc) = p {
                if !marked.isEmpty { marked[marked.count - 1].cache = cc }
            } else {
                marked.append((p, nil))
            }
        }
        if toolResultsFirst {
            let isResult: ((part: ContentPart, cache: JSON?)) -> Bool = { if case .toolResult = $0.part { return true } else { return false } }
            let results = marked.filter(isResult)
            if !results.isEmpty, results.count != marked.count { marked = results + marked.filter { !isResult($0) } }
        }
        var out: [JSON] = []
        out.reserveCapacity(marked.count)
        for (part, cache) in marked {
            guard var block = encodeBlock(part) else { continue }
            if let cache { block["cache_control"] = cache }
            out.append(block)
        }
        return out
    }

    static func encodeImageSource(_ s: ImageSource) -> JSON {
        switch s {
        case .base64(let mediaType, let data):
            return ["type": "base64", "media_type": .string(mediaType), "data": .string(data)]
        case .url(let url):
            return ["type": "url", "url": .string(url)]
        }
    }
}
