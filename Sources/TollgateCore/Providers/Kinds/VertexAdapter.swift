import TollgateProtocols

/// Gemini on Vertex AI: the same protocol under a project and region, a bearer access token.
public struct VertexAdapter: ProviderAdapter {
    public init() {}
    public var type: String { "vertex" }
    public var chatProtocol: WireProtocol { .gemini }
    public var modelInPath: Bool { true }
    public var ownRequestHeaders: HeaderNameSet { OpenAIAdapter.own }

    public func supports(_ op: ProviderOperation) -> Bool { GeminiAdapter.supportsGemini(op) }

    /// Nil without `project` and `region`; the endpoint defaults to the region's host.
    public func url(_ op: ProviderOperation, model: String, base: UpstreamURL?, provider: Provider) -> UpstreamURL? {
        guard let project = provider.project, let region = provider.region else { return nil }
        let host = region == "global" ? "aiplatform.googleapis.com" : "\(region)-aiplatform.googleapis.com"
        let b = base ?? UpstreamURL(tls: true, host: host, port: 443, path: "")
        return b.appending("/v1/projects/\(project)/locations/\(region)/publishers/google/models/\(model):\(GeminiAdapter.method(op))")
    }

    public func authHeaders(_ key: String, into fields: inout [(String, String)]) {
        fields.append(("authorization", "Bearer " + key))
    }
}
