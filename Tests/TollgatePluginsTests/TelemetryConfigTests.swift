import Testing
import TollgateConfig

@testable import TollgatePlugins

@Suite struct TelemetryConfigTests {
    func node(_ yaml: String) throws -> ConfigNode? {
        let cfg = try ConfigLoader.parse(
            yaml: "routes:\n  - id: r\n    uri: /x\n    plugins:\n      - \(yaml)\n", file: "r.yaml", baseDirectory: "/tmp", environment: [:])
        return cfg.routes.first?.plugins.first?.config
    }

    @Test func defaults() throws {
        let c = try TelemetryConfig(try #require(try node("telemetry: {}")))
        #expect(c == TelemetryConfig())
        #expect(c.retentionDays == 7 && !c.logPayloads)
        let a = try AsyncConfig(try #require(try node("async:")))
        #expect(a.ttlSeconds == 3600)
    }

    @Test func rejectsUnknownKeysAndBadValues() throws {
        #expect(throws: ConfigError.self) { try TelemetryConfig(try #require(try node("telemetry: {log_payload: true}"))) }
        #expect(throws: ConfigError.self) { try TelemetryConfig(try #require(try node("telemetry: {retention_days: 0}"))) }
        #expect(throws: ConfigError.self) { try AsyncConfig(try #require(try node("async: {ttl_seconds: -1}"))) }
        #expect(throws: ConfigError.self) { try AsyncConfig(try #require(try node("async: {ttl: 5}"))) }
    }

    @Test func readsValues() throws {
        let c = try TelemetryConfig(try #require(try node("telemetry: {log_payloads: true, retention_days: 30}")))
        #expect(c.logPayloads && c.retentionDays == 30)
        #expect(try AsyncConfig(try #require(try node("async: {ttl_seconds: 5}"))).ttlSeconds == 5)
    }
}
