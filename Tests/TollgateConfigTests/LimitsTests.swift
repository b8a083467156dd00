import Testing

@testable import TollgateConfig

@Suite struct LimitsTests {
    @Test func serverLimitsHaveNginxLikeDefaultsAndCanBeSet() throws {
        let d = try load("routes: []\n").server.limits
        #expect(d == ServerLimits())
        #expect(d.clientHeaderTimeout == 60 && d.keepaliveTimeout == 75 && d.maxModelNameBytes == 256)
        let c = try load("""
            server:
              client_header_timeout: 2
              keepalive_timeout: 0.5
              max_stream_line_bytes: 1024
            routes: []
            """).server.limits
        #expect(c.clientHeaderTimeout == 2 && c.keepaliveTimeout == 0.5 && c.maxStreamLineBytes == 1024)
        #expect(errors("server: {send_timeout: 0, max_model_name_bytes: -1}\n") == [
            "r.yaml:1:24: send_timeout must be greater than 0 (seconds)",
            "r.yaml:1:49: max_model_name_bytes must be greater than 0",
        ])
    }

    /// Nine levels of nine aliases: 9^9 nodes if expanded. Refused at the limit, at once.
    @Test func aliasBombIsRefusedWithItsPosition() {
        var yaml = "a0: &a0 [lol]\n"
        for i in 1...9 {
            let refs = Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ")
            yaml += "a\(i): &a\(i) [\(refs)]\n"
        }
        let e = errors(yaml)
        #expect(e.count == 1)
        #expect(e.first?.hasPrefix("r.yaml:") == true)
        #expect(e.first?.contains("expands to more than 100000 nodes") == true)
        // The same anchors used a few times are an ordinary config.
        #expect(errors("x-defaults: &d {provider: openai}\nroutes: []\nx-a: [*d, *d, *d]\n").isEmpty)
    }
}
