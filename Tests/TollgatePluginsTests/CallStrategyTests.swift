import NIOCore
import Testing
import TollgateConfig
import TollgateCore
import TollgateJSON
import TollgateProtocols
@testable import TollgatePlugins

/// ai-proxy's call strategies on their own: which one a call gets, and the body and transformer
/// each makes (the e2e suite covers them only through the whole gateway).
@Suite struct CallStrategyTests {
    private static let yaml = """
        providers:
          openai: {api_key: sk-o, endpoint: "http://127.0.0.1:9"}
          anthropic: {api_key: sk-a, endpoint: "http://127.0.0.1:9"}
          gemini: {api_key: sk-g, endpoint: "http://127.0.0.1:9"}
        routes:
          - id: chat
            uri: /v1/chat/completions
            plugins: [{ai-proxy: {surface: openai-chat}}]
          - id: opts
            uri: /opts
            plugins: [{ai-proxy: {surface: openai-chat, options: {temperature: 0.5}}}]
          - id: emb
            uri: /v1/embeddings
            plugins: [{ai-proxy: {surface: openai-embeddings}}]
          - id: genai
            uri: /genai/*
            plugins: [{ai-proxy: {}}]
          - id: responses
            uri: /v1/responses
            plugins: [{ai-proxy: {surface: openai-responses}}]
        """

    private func facts(_ gw: TestGateway, route: String, model: String, provider: String, outbound: WireProtocol, stream: Bool = false) throws -> CallFacts {
        let p = try gw.plugin(AIProxyPlugin.self, route: route)
        let surface = try require(p.config.surface, "route \(route) names its surface")
        return CallFacts(
            target: ResolvedTarget(provider: provider, model: model), config: p.config, surface: surface,
            inbound: surface.wireProtocol, outbound: outbound, stream: stream)
    }

    private func json(_ b: ByteBuffer) throws -> JSON {
        try b.withUnsafeReadableBytes { try JSON.parse($0) }
    }

    @Test func theStrategyFollowsTheTwoProtocols() {
        #expect(CallStrategies.choose(surface: .openAIChat, inbound: .openAIChat, outbound: .openAIChat) is PassthroughStrategy)
        #expect(CallStrategies.choose(surface: .openAIChat, inbound: .openAIChat, outbound: .anthropicMessages) is TranslateStrategy)
        #expect(CallStrategies.choose(surface: .genai, inbound: .gemini, outbound: .openAIChat) is TranslateStrategy)
        #expect(CallStrategies.choose(surface: .openAIEmbeddings, inbound: .openAIEmbeddings, outbound: .gemini) is EmbeddingsStrategy)
        #expect(CallStrategies.choose(surface: .openAIEmbeddings, inbound: .openAIEmbeddings, outbound: .openAIEmbeddings) is PassthroughStrategy)
    }

    @Test func passthroughSplicesTheModelAndKeepsEveryOtherByte() throws {
        let gw = try TestGateway(Self.yaml)
        let body = #"{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi \u00e9"}],"x-extra":[1, 2]}"#
        let ctx = try gw.request(body: body)
        let out = try PassthroughStrategy().prepare(try facts(gw, route: "chat", model: "gpt-4o-mini", provider: "openai", outbound: .openAIChat), ctx)
        #expect(String(buffer: out.body) == body.replacingOccurrences(of: "openai/gpt-4o-mini", with: "gpt-4o-mini"))
        #expect(out.transformer is PassthroughTransformer)
    }

    @Test func passthroughSendsTheSameBufferWhenNothingChanges() throws {
        let gw = try TestGateway(Self.yaml)
        let body = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#
        let ctx = try gw.request(body: body)
        let out = try PassthroughStrategy().prepare(try facts(gw, route: "chat", model: "gpt-4o-mini", provider: "openai", outbound: .openAIChat), ctx)
        #expect(out.body == ctx.body)
    }

    @Test func passthroughWritesTheRoutesOptions() throws {
        let gw = try TestGateway(Self.yaml)
        let ctx = try gw.request("/opts", body: #"{"model":"gpt-4o-mini","temperature":1,"messages":[{"role":"user","content":"hi"}]}"#)
        let out = try PassthroughStrategy().prepare(try facts(gw, route: "opts", model: "gpt-4o-mini", provider: "openai", outbound: .openAIChat), ctx)
        let b = try json(out.body)
        #expect(b["temperature"] == 0.5)
        #expect(b["model"] == "gpt-4o-mini")
    }

    @Test func passthroughRefusesARequestWithoutItsRequiredFields() throws {
        let gw = try TestGateway(Self.yaml)
        let ctx = try gw.request(body: #"{"model":"gpt-4o-mini"}"#)
        #expect(throws: GatewayError.self) {
            _ = try PassthroughStrategy().prepare(try facts(gw, route: "chat", model: "gpt-4o-mini", provider: "openai", outbound: .openAIChat), ctx)
        }
    }

    @Test func translateEncodesForTheProviderAndAsksForStreamUsage() throws {
        let gw = try TestGateway(Self.yaml)
        let ctx = try gw.request(body: #"{"model":"anthropic/claude-x","stream":true,"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}]}"#)
        let out = try TranslateStrategy().prepare(
            try facts(gw, route: "chat", model: "claude-x", provider: "anthropic", outbound: .anthropicMessages, stream: true), ctx)
        let b = try json(out.body)
        #expect(b["model"] == "claude-x")
        #expect(b["system"] == "be brief")
        #expect(b["stream"] == true)
        #expect(b["max_tokens"]?.int != nil)
        #expect(b["messages"]?.array?.count == 1)
        #expect(out.transformer is TranslatingTransformer)
    }

    @Test func embeddingsGoThroughTheProvidersEmbeddingsCodec() throws {
        let gw = try TestGateway(Self.yaml)
        let ctx = try gw.request("/v1/embeddings", body: #"{"model":"gemini/text-embedding-004","input":["a","b"]}"#)
        let out = try EmbeddingsStrategy().prepare(
            try facts(gw, route: "emb", model: "text-embedding-004", provider: "gemini", outbound: .gemini), ctx)
        let b = try json(out.body)
        #expect(b["requests"]?.array?.count == 2)
        #expect(out.transformer is EmbeddingsTransformer)
    }

    /// A tool only one provider runs is refused for the others, naming it, never dropped.
    @Test func toolsWithoutAnEquivalentAreRefusedNamingThem() throws {
        let gw = try TestGateway(Self.yaml)
        let genai = try gw.request(
            "/genai/v1beta/models/anthropic/claude-x:generateContent",
            body: #"{"contents":[{"role":"user","parts":[{"text":"q"}]}],"tools":[{"codeExecution":{}}]}"#)
        let gfacts = CallFacts(
            target: ResolvedTarget(provider: "anthropic", model: "claude-x"), config: try gw.plugin(AIProxyPlugin.self, route: "genai").config,
            surface: .genai, inbound: .gemini, outbound: .anthropicMessages, stream: false)
        do {
            _ = try TranslateStrategy().prepare(gfacts, genai)
            Issue.record("codeExecution went to Anthropic")
        } catch {
            #expect(error.status == 400 && error.message.contains("codeExecution"))
        }
        let responses = try gw.request("/v1/responses", body: #"{"model":"openai-compatible/x","input":"q","tools":[{"type":"web_search"}]}"#)
        let rfacts = CallFacts(
            target: ResolvedTarget(provider: "ollama", model: "x"), config: try gw.plugin(AIProxyPlugin.self, route: "responses").config,
            surface: .openAIResponses, inbound: .openAIResponses, outbound: .ollama, stream: false)
        do {
            _ = try TranslateStrategy().prepare(rfacts, responses)
            Issue.record("web_search went to Ollama")
        } catch {
            #expect(error.status == 400 && error.message.contains("web_search"))
        }
    }
}
