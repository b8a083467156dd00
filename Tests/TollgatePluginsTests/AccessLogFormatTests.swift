import Testing

@testable import TollgatePlugins

/// The access log's numbers are formatted by hand (no Foundation on the per-request path).
@Suite struct AccessLogFormatTests {
    @Test func fixedPointFormatting() {
        #expect(String(format3: 0.5321) == "0.532")
        #expect(String(format3: 12.5) == "12.500")
        #expect(String(format3: 0) == "0.000")
        #expect(String(format3: -1.25) == "-1.250")
        #expect(String(format3: -0.0001) == "0.000")  // no "-0.000"
        #expect(String(format6: 0.000123) == "0.000123")
        #expect(String(format6: 1234.5) == "1234.500000")
        #expect(String(fixed: 7, digits: 0) == "7")
        #expect(String(format3: .infinity) == "0")
    }
}
