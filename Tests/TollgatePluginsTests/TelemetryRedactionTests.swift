import NIOCore
import Testing

@testable import TollgatePlugins

@Suite struct TelemetryRedactionTests {
    @Test func redactsCredentialLikeFieldsAtAnyDepth() {
        let body = #"{"model":"m","max_tokens":5,"api_key":"sk-1","tools":[{"auth":{"Authorization":"Bearer x","client_secret":"s"}}],"metadata":{"key":"k","keep":"v"}}"#
        let text = PayloadRedaction.text(ByteBuffer(string: body))
        #expect(!text.contains("sk-1"))
        #expect(!text.contains("Bearer x"))
        #expect(!text.contains(#""s""#))
        #expect(!text.contains(#""k""#))
        #expect(text.contains(#""max_tokens":5"#))
        #expect(text.contains(#""keep":"v""#))
        #expect(text.contains("[REDACTED]"))
    }

    @Test func tokenCountsAreNotSecrets() {
        #expect(!PayloadRedaction.isSecretName("max_tokens"))
        #expect(!PayloadRedaction.isSecretName("max_output_tokens"))
        #expect(PayloadRedaction.isSecretName("x-api-key"))
        #expect(PayloadRedaction.isSecretName("apiKey"))
        #expect(PayloadRedaction.isSecretName("access_token"))
    }

    @Test func longAndNonJSONBodiesAreCutAsText() {
        let big = ByteBuffer(string: String(repeating: "a", count: PayloadRedaction.maxBytes + 10))
        let captured = PayloadRedaction.capture(big)
        #expect(captured.readableBytes == PayloadRedaction.maxBytes + 1)
        let text = PayloadRedaction.text(captured)
        #expect(text.hasSuffix("…[truncated]"))
        #expect(PayloadRedaction.text(ByteBuffer(string: "data: {}\n\n")) == "data: {}\n\n")
    }
}
