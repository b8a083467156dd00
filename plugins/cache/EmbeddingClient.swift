import AsyncHTTPClient
import NIOConcurrencyHelpers
import NIOCore
import TollgateCore
import TollgateJSON
import TollgateProtocols

/// Embeds a prompt's text for the semantic cache through one of the gateway's own providers
/// (its endpoint and keys), in the OpenAI embeddings shape, with AsyncHTTPClient: a side call,
/// made once per lookup.
final class EmbeddingClient: Sendable {
    private let services: GatewayServices
    /// The lookup is on the request's path: a slow or dead embedding model costs a request at
    /// most this, then the request goes upstream uncached.
    static let timeout = TimeAmount.seconds(2)

    static func shared(_ services: GatewayServices) -> EmbeddingClient {
        services.shared("cache.embeddings") { EmbeddingClient(services) }
    }

    private init(_ services: GatewayServices) { self.services = services }

    func embed(_ text: String, with target: ResolvedTarget, providers: ProviderRegistry) async throws -> [Float] {
        guard let provider = providers[target.provider], let url = try provider.url(.embeddings, model: target.model) else {
            throw GatewayError(status: 500, kind: .apiError, message: "cache: provider '\(target.provider)' has no embeddings endpoint")
        }
        var fields: [(String, String)] = [("content-type", "application/json"), ("accept", "application/json")]
        provider.authHeaders(provider.key(for: target.model), into: &fields)
        var request = HTTPClientRequest(url: url.description)
        request.method = .POST
        for (n, v) in fields { request.headers.add(name: n, value: v) }
        let body = JSON.object(["model": .string(target.model), "input": .string(text)]).serialized()
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await http().execute(request, timeout: Self.timeout)
        let bytes = try await response.body.collect(upTo: 16 << 20)
        guard response.status == .ok else {
            throw GatewayError(status: 502, kind: .apiError, message: "cache: the embedding model answered HTTP \(response.status.code)")
        }
        let json = try bytes.withUnsafeReadableBytes { buf throws(JSONParseError) in try JSON.parse(buf) }
        guard let values = json["data"]?[0]?["embedding"]?.array, !values.isEmpty else {
            throw GatewayError(status: 502, kind: .apiError, message: "cache: the embedding model's answer has no data[0].embedding")
        }
        return values.map { Float($0.double ?? 0) }
    }

    private func http() -> HTTPClient { SideHTTPClient.shared(services) }

    /// Cosine similarity; 0 when either vector is zero or their lengths differ.
    static func similarity(_ a: [Float], _ b: [Float]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return 0 }
        var dot = 0.0, na = 0.0, nb = 0.0
        for i in a.indices {
            let x = Double(a[i]), y = Double(b[i])
            dot += x * y
            na += x * x
            nb += y * y
        }
        guard na > 0, nb > 0 else { return 0 }
        return dot / (na.squareRoot() * nb.squareRoot())
    }
}
