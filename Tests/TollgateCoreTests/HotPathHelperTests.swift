import Logging
import TollgateJSON
import NIOHTTP1
import Testing

@testable import TollgateCore

/// The small helpers the request path leans on instead of Character-walking String APIs.
@Suite struct HotPathHelperTests {
    @Test func headerNameSetMatchesCaseInsensitivelyByLength() {
        let set = HeaderNameSet(["set-cookie", "te"]) + .hopByHop
        #expect(set.contains("Set-Cookie"))
        #expect(set.contains("TE"))
        #expect(set.contains("Transfer-Encoding"))
        #expect(!set.contains("set-cookiX"))
        #expect(!set.contains("t"))
        #expect(!set.contains("a-header-name-longer-than-any-in-the-set"))
        #expect(!set.contains(""))
    }

    @Test func headerNameSetGivesPositionsAndKeepsNonLetters() {
        let set = HeaderNameSet(["x-bf-vk", "authorization", "X_Custom-9"]) + HeaderNameSet(["api-key"])
        #expect(set.index(of: "Authorization") == 1)
        #expect(set.index(of: "X-BF-VK") == 0)
        #expect(set.index(of: "x_custom-9") == 2)  // '_' and digits compared as they are
        #expect(set.index(of: "API-KEY") == 3)     // the right-hand set's names come after
        #expect(set.index(of: "x-custom-9") == nil)
        #expect(set.index(of: "x\u{7F}custom-9") == nil)  // '_' | 0x20 must not match DEL
    }

    @Test func appendKeepsOrderAndLeavesTheBlockUsable() {
        var h = HTTPHeaders([("content-type", "application/json")])
        let shared = h
        h.append([("x-request-id", "r1"), ("Connection", "close")])
        #expect(h.map { "\($0.name)=\($0.value)" } == ["content-type=application/json", "x-request-id=r1", "Connection=close"])
        #expect(shared.count == 1)  // the copy it shared storage with is untouched
        // NIO still sees the connection header it did not scan on the way in.
        #expect(!HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: h).isKeepAlive)
    }

    @Test func requestURISplitsAtTheFirstQuestionMark() {
        #expect(RequestURI.split("/v1/chat/completions") == ("/v1/chat/completions", nil))
        let (p, q) = RequestURI.split("/genai/v1beta/models/gemini:streamGenerateContent?alt=sse&x=?")
        #expect(p == "/genai/v1beta/models/gemini:streamGenerateContent")
        #expect(q == "alt=sse&x=?")
        let (p2, q2) = RequestURI.split("/café/ü?")  // multi-byte UTF-8 before the '?'
        #expect(p2 == "/café/ü" && q2 == "")
    }

    @Test func fastRandomIdsDoNotRepeat() {
        var seen = Set<UInt64>()
        for _ in 0..<10_000 { seen.insert(FastRandom.next()) }
        #expect(seen.count == 10_000)
    }

    @Test func logMetadataComesOutInKeyOrderWithEventValuesWinning() {
        let own: Logger.Metadata = ["z": "own", "b": "own"]
        let event: Logger.Metadata = ["b": "event", "a": "1", "route_id": "r"]
        let entries = LogLine.entries(own, event)
        #expect(entries.map(\.key) == ["a", "b", "route_id", "z"])
        #expect(entries.map { "\($0.value)" } == ["1", "event", "r", "own"])
    }

    @Test func timestampIsISO8601UTCWithMilliseconds() {
        var out: [UInt8] = []
        LogLine.appendTimestamp(to: &out)
        let s = String(decoding: out, as: UTF8.self)
        #expect(s.count == 24, "\(s)")
        #expect(s.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(s)")
    }
}

@Suite struct LogLineBuilderTests {
    @Test func textLine() {
        var b = LogLineBuilder(.text, level: .info, message: "request")
        b.field("latency_ms", "0.532")
        b.field("status", 200)
        b.field("vk", "team a")
        #expect(String(decoding: b.finished(), as: UTF8.self) == "INFO request latency_ms=0.532 status=200 vk=team a\n")
    }

    @Test func jsonLineIsOneObjectWithIntegersAsNumbers() throws {
        var b = LogLineBuilder(.json, level: .warning, message: "a \"quoted\" message")
        b.field("input_tokens", "12")
        b.field("latency_ms", "0.532")
        b.field("status", 200)
        b.field("model", "gpt-4o\n")
        let line = String(decoding: b.finished(), as: UTF8.self)
        #expect(line.hasSuffix("}\n"))
        let v = try JSON.parse(String(line.dropLast()))
        #expect(v["level"]?.string == "warning")
        #expect(v["msg"]?.string == "a \"quoted\" message")
        #expect(v["input_tokens"]?.int == 12)
        #expect(v["latency_ms"]?.string == "0.532")
        #expect(v["status"]?.int == 200)
        #expect(v["model"]?.string == "gpt-4o\n")
        #expect(v["ts"]?.string?.hasSuffix("Z") == true)
    }
}
