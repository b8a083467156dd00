import Testing
import TollgateConfig
import TollgateCore
import TollgateProtocols

/// A provider kind is one adapter: this file is all a new kind needs (beside a line in
/// `ProviderKinds.builtin` to ship it).
struct ToyAdapter: ProviderAdapter {
    var type: String { "toy" }
    var chatProtocol: WireProtocol { .openAIChat }
    var ownRequestHeaders: HeaderNameSet { Self.ownHeaders(["x-toy-key"]) }
    var modelInPath: Bool { true }
    func supports(_ op: ProviderOperation) -> Bool { op == .chat(stream: false) || op == .chat(stream: true) }
    func url(_ op: ProviderOperation, model: String, base: UpstreamURL?, provider: Provider) -> UpstreamURL? {
        base?.appending("/toy/\(model)/talk")
    }
    func authHeaders(_ key: String, into fields: inout [(String, String)]) { fields.append(("x-toy-key", key)) }
}

@Suite struct ToyProviderKindTests {
    @Test func aNewKindIsOneAdapter() throws {
        var cfg = ProviderConfig(name: "my-toy", type: "toy", mark: SourceMark(file: "f", line: 1, column: 1))
        cfg.endpoint = "http://127.0.0.1:7000"
        cfg.keys = [ProviderKey(value: "tk", weight: 1)]
        let r = try ProviderRegistry(config: [cfg], environment: [:], kinds: ProviderKinds.builtin + [ToyAdapter()])
        let p = try #require(r["my-toy"])
        #expect(try p.url(.chat(stream: false), model: "a:b")?.description == "http://127.0.0.1:7000/toy/a%3Ab/talk")
        #expect(throws: GatewayError.self) { try p.url(.chat(stream: false), model: "a/../b") }
        #expect(!p.supports(.embeddings))
        var f: [(String, String)] = []
        p.authHeaders(p.key(for: "m"), into: &f)
        #expect(f.map(\.0) == ["x-toy-key"] && f.map(\.1) == ["tk"])
        #expect(p.wireProtocol(.chat(stream: true)) == .openAIChat)
        // Without the adapter the type is unknown: a config error at the entry.
        #expect(throws: ConfigErrors.self) { try ProviderRegistry(config: [cfg], environment: [:]) }
    }
}

@Suite struct EmbeddingsURLTests {
    /// Each kind's embeddings path (what `EmbeddingsTranslation.path(for:)` held, unused).
    @Test func embeddingsGoWhereEachProviderServesThem() throws {
        let r = try ProviderRegistry(config: [], environment: [:])
        #expect(try r["gemini"]?.url(.embeddings, model: "e")?.path == "/v1beta/models/e:batchEmbedContents")
        #expect(try r["ollama"]?.url(.embeddings, model: "e")?.path == "/api/embed")
        #expect(try r["openai"]?.url(.embeddings, model: "e")?.path == "/v1/embeddings")
        #expect(r["anthropic"]?.supports(.embeddings) == false)
    }
}
