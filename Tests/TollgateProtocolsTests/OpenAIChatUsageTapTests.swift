import Testing
import TollgateJSON
@testable import TollgateProtocols

@Suite struct OpenAIChatUsageTapTests {
    let stream = """
        data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"}}]}

        data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

        data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":2,"total_tokens":9}}

        data: [DONE]


        """

    func run(strip: Bool, step: Int) -> (String, Usage?) {
        var tap = OpenAIChatUsageTap(stripUsageChunk: strip)
        let bytes = Array(stream.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let chunk = Array(bytes[i..<min(i + step, bytes.count)])
            out += chunk.withUnsafeBytes { tap.feed($0) }
            i += step
        }
        out += tap.finish()
        return (String(decoding: out, as: UTF8.self), tap.usage)
    }

    @Test(arguments: [1, 7, 1000])
    func readsUsageAtAnySplit(step: Int) {
        let (_, usage) = run(strip: false, step: step)
        #expect(usage?.inputTokens == 7 && usage?.outputTokens == 2)
    }

    @Test func stripsOnlyTheUsageChunkWhenAsked() {
        let (out, usage) = run(strip: true, step: 5)
        #expect(usage?.totalTokens == 9)
        #expect(!out.contains("\"usage\""))
        #expect(out.contains("\"content\":\"Hi\""))
        #expect(out.contains("\"finish_reason\":\"stop\""))
        #expect(out.hasSuffix("data: [DONE]\n\n"))
    }
}
