import TollgateJSON

/// A whole Anthropic `message` body → canonical. Server-tool blocks (web search results, …)
/// have no canonical form and are skipped: the text around them still reads whole.
enum AnthropicResponseDecoder {
    static func decode(_ body: JSON) throws(GatewayError) -> ChatResponse {
        guard body.object != nil, let blocks = body["content"]?.array else {
            throw GatewayError(status: 502, kind: .apiError, message: "The upstream response is not an Anthropic message.")
        }
        var r = ChatResponse(id: body["id"]?.string ?? "", model: body["model"]?.string ?? "")
        r.content.reserveCapacity(blocks.count)
        for (i, b) in blocks.enumerated() {
            if let part = try? AnthropicContent.decodeBlock(b, "content.\(i)") { r.content.append(part) }
        }
        if let reason = body["stop_reason"]?.string {
            r.stopReason = AnthropicStopReason.decode(reason, sequence: body["stop_sequence"]?.string)
        }
        if let usage = AnthropicUsage.decode(body["usage"]) { r.usage = usage }
        return r
    }
}
