import NIOCore
import NIOHTTP1
import Testing
import TollgateProtocols

@testable import TollgateCore

/// The exchange's rules for moving to the next call, and its bounded buffer, on their own.
@Suite struct UpstreamAttemptsTests {
    private func calls(_ n: Int) -> [UpstreamCall] {
        (0..<n).map { i in
            UpstreamCall(
                url: UpstreamURL("http://127.0.0.1:\(9000 + i)/x")!, fields: [], body: ByteBuffer(), timeout: .seconds(1),
                transformer: WholeTransform(), target: ResolvedTarget(provider: "p\(i)", model: "m"))
        }
    }

    @Test func rateLimitsAndServerErrorsFallBackClientErrorsDoNot() {
        var a = UpstreamAttempts(calls(3))
        #expect(a.current.target.provider == "p0")
        do { let r = a.fallsBack(onStatus: 400); #expect(!r) }
        do { let r = a.fallsBack(onStatus: 404); #expect(!r) }
        do { let r = a.fallsBack(onStatus: 429); #expect(r) }
        #expect(a.current.target.provider == "p1")
        do { let r = a.fallsBack(onStatus: 503); #expect(r) }
        #expect(a.current.target.provider == "p2")
        // The last call's answer is relayed, whatever it is.
        do { let r = a.fallsBack(onStatus: 500); #expect(!r) }
        #expect(a.current.target.provider == "p2")
    }

    @Test func aStaleKeptAliveConnectionIsRetriedOncePerCall() {
        var a = UpstreamAttempts(calls(2))
        do { let r = a.retriesStale(connectionWasReused: false); #expect(!r) }
        do { let r = a.retriesStale(connectionWasReused: true); #expect(r) }
        do { let r = a.retriesStale(connectionWasReused: true); #expect(!r) }
        do { let r = a.advance(); #expect(r) }
        do { let r = a.retriesStale(connectionWasReused: true); #expect(r) }
        do { let r = a.advance(); #expect(!r) }
    }

    @Test func theBufferIsBoundedAndHandsItsBytesOver() {
        var b = BufferedAnswer(limit: 8)
        do { let r = b.append(ByteBuffer(string: "abcd")); #expect(r) }
        do { let r = b.append(ByteBuffer(string: "efgh")); #expect(r) }
        let taken = b.take()
        #expect(String(buffer: taken) == "abcdefgh")
        #expect(b.bytes.readableBytes == 0)
        do { let r = b.append(ByteBuffer(string: "12345")); #expect(r) }
        do { let r = b.append(ByteBuffer(string: "6789")); #expect(!r) }
        #expect(b.bytes.readableBytes == 0)
    }
}

/// Gathers the answer whole and hands it over as it came.
final class WholeTransform: ResponseTransformer {
    func begin(status: HTTPResponseStatus, headers: HTTPHeaders, ctx: RequestContext) -> ResponseDisposition { .buffer }
    func chunk(_ part: ByteBuffer, ctx: RequestContext) throws(GatewayError) -> ByteBuffer? { part }
    func finish(ctx: RequestContext) -> ByteBuffer? { nil }
    func broken(_ error: GatewayError, ctx: RequestContext) -> BrokenAnswer { .end(nil) }
    func whole(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer, ctx: RequestContext) -> WholeResponse {
        WholeResponse(status: status, headers: headers, body: body)
    }
}
