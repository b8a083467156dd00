import Testing
import TollgateJSON

@Suite struct JSONTests {
    @Test func roundTripKeepsOrderAndTypes() throws {
        let text = #"{"b":1,"a":[true,false,null,-2.5,"x\"y\n"],"c":{"d":12345678901}}"#
        let v = try JSON.parse(text)
        #expect(v["b"]?.int == 1)
        #expect(v["c"]?["d"]?.int == 12345678901)
        #expect(v["a"]?[3]?.double == -2.5)
        #expect(v["a"]?[4]?.string == "x\"y\n")
        #expect(v.jsonString == text)
    }

    @Test func unicodeEscapesAndSurrogates() throws {
        let v = try JSON.parse(#""\u00e9\ud83d\ude00\u0041""#)
        #expect(v.string == "é😀A")
    }

    @Test func rejectsMalformedInput() {
        for bad in ["{", "[1,]", #"{"a" 1}"#, "tru", "1 2", #""abc"#, "-", "{\"a\":1,}"] {
            #expect(throws: JSONParseError.self) { try JSON.parse(bad) }
        }
    }

    @Test func rejectsDeepNesting() {
        let deep = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
    }

    @Test func subscriptSetterEditsInPlace() throws {
        var v = try JSON.parse(#"{"model":"openai/gpt-4o","stream":true}"#)
        v["model"] = "gpt-4o"
        v["extra"] = 3
        v["stream"] = nil
        #expect(v.jsonString == #"{"model":"gpt-4o","extra":3}"#)
    }

    @Test func controlCharactersAreEscaped() {
        let v: JSON = .string("a\u{01}b")
        #expect(v.jsonString == #""a\u0001b""#)
    }

    @Test func escapesAtEveryPositionOfARun() throws {
        // Escapes first, last, adjacent and between plain runs, and multi-byte UTF-8 kept whole.
        let s = "\"é\t\\x\r\n😀\u{1F}"
        #expect(JSON.string(s).jsonString == #""\"é\t\\x\r\n😀\u001f""#)
        #expect(try JSON.parse(JSON.string(s).jsonString).string == s)
        #expect(JSON.string("").jsonString == #""""#)
        #expect(JSON.string("plain").jsonString == #""plain""#)
    }
}

@Suite struct JSONSkimTests {
    func skim(_ s: String) throws -> (JSONSkim, [UInt8]) {
        let b = Array(s.utf8)
        return (try b.withUnsafeBytes { buf throws(JSONParseError) in try JSONSkim(buf) }, b)
    }

    @Test func findsTopLevelValuesWithoutParsingOthers() throws {
        let text = #"{"messages":[{"role":"user","content":"a \"quoted\" ] } thing"}],"model":"openai/gpt-4o","stream":true,"n":1.5e3}"#
        let (s, b) = try skim(text)
        #expect(s.entries.map(\.key) == ["messages", "model", "stream", "n"])
        #expect(b.withUnsafeBytes { s.value("model", in: $0) } == .string("openai/gpt-4o"))
        #expect(b.withUnsafeBytes { s.value("stream", in: $0) } == .bool(true))
        #expect(s.entry("messages")?.first == UInt8(ascii: "["))
        let r = try #require(s.entry("model")?.range)
        #expect(String(decoding: b[r], as: UTF8.self) == "\"openai/gpt-4o\"")
    }

    @Test func rejectsBrokenStructure() {
        for bad in ["[1]", #"{"a":[1,2}"#, #"{"a":"x}"#, #"{"a":1"#, #"{"a":1} x"#, #"{"a" 1}"#] {
            #expect(throws: JSONParseError.self) { _ = try skim(bad) }
        }
    }

    @Test func emptyObject() throws {
        #expect(try skim(" { } ").0.entries.isEmpty)
    }
}
