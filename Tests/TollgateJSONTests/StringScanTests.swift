import Testing
import TollgateJSON

/// Strings are scanned eight bytes at a time until a quote, backslash or control byte shows up:
/// put each of those at every offset of the first words, and check both the parser and the skim.
@Suite struct StringScanTests {
    static let fillers = ["a", "é", "😀"]

    @Test func escapesAndQuotesAtEveryOffset() throws {
        for filler in Self.fillers {
            for n in 0..<20 {
                let pad = String(repeating: filler, count: n)
                for (escaped, value) in [(#"\""#, "\""), (#"\\"#, "\\"), (#"\n"#, "\n"), (#"\u0041"#, "A")] {
                    let text = "{\"k\":\"\(pad)\(escaped)\(pad)\",\"after\":1}"
                    let v = try JSON.parse(text)
                    #expect(v["k"]?.string == pad + value + pad, "\(text)")
                    #expect(v["after"]?.int == 1)
                    let bytes = Array(text.utf8)
                    let skim = try bytes.withUnsafeBytes { try JSONSkim($0) }
                    #expect(skim.entries.map(\.key) == ["k", "after"], "\(text)")
                }
            }
        }
    }

    @Test func controlCharacterAtEveryOffsetIsRejected() {
        for n in 0..<20 {
            let pad = String(repeating: "b", count: n)
            for control in ["\u{01}", "\n", "\u{1F}"] {
                let text = "{\"k\":\"\(pad)\(control)\(pad)\"}"
                #expect(throws: JSONParseError.self) { try JSON.parse(text) }
                let bytes = Array(text.utf8)
                #expect(throws: JSONParseError.self) { try bytes.withUnsafeBytes { _ = try JSONSkim($0) } }
            }
        }
    }

    @Test func unterminatedStringOfAnyLengthIsRejected() {
        for n in 0..<20 {
            let text = "{\"k\":\"" + String(repeating: "c", count: n)
            #expect(throws: JSONParseError.self) { try JSON.parse(text) }
            let bytes = Array(text.utf8)
            #expect(throws: JSONParseError.self) { try bytes.withUnsafeBytes { _ = try JSONSkim($0) } }
        }
    }

    @Test func bytesAboveASCIIAreNotMistakenForSpecials() throws {
        // 0xA2 and 0xDC carry the low bits of '"' and '\\' with the high bit set.
        let s = String(repeating: "¢\u{0710}", count: 8)
        #expect(Array(s.utf8).contains(0xA2) && Array(s.utf8).contains(0xDC))
        #expect(try JSON.parse("[\"\(s)\"]")[0]?.string == s)
    }
}
