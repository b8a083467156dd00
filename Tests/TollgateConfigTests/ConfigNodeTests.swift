import Testing
import TollgateJSON

@testable import TollgateConfig

@Suite struct ConfigNodeTests {
    @Test func parsesAFragment() throws {
        let node = try ConfigNode.parse(yaml: "{provider: openai, n: 3}", file: "t.yaml")
        let m = try node.mapping("ai-proxy", allowed: ["provider", "n"])
        #expect(try m.requiredString("provider") == "openai")
        #expect(try m.int("n") == 3)
    }
}
