import Foundation
import NIOHTTP1
import Testing
import TollgateConfig
import TollgateCore
import TollgateProtocols
@testable import TollgatePlugins

/// The shipped routes.yaml serves every path of spec section 5 under every base URL, each as its
/// surface, chosen from the path; any other path is a 404 in its family's shape.
@Suite struct SurfaceByPathTests {
    private static func shipped() throws -> TestGateway {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try TestGateway(try String(contentsOf: root.appendingPathComponent("routes.yaml"), encoding: .utf8))
    }

    private func surface(_ gw: TestGateway, _ method: HTTPMethod, _ path: String) throws -> Surface? {
        let ctx = try gw.request(path, method: method)
        let proxy = try #require(ctx.route.plugins.compactMap { $0 as? AIProxyPlugin }.first)
        return proxy.config.surface(for: ctx)
    }

    @Test func everyPathUnderEveryBaseURL() throws {
        let gw = try Self.shipped()
        for base in ["/v1", "/openai", "/openai/v1"] {
            #expect(try surface(gw, .POST, base + "/chat/completions") == .openAIChat, "\(base)")
            #expect(try surface(gw, .POST, base + "/responses") == .openAIResponses, "\(base)")
            #expect(try surface(gw, .POST, base + "/responses/input_tokens") == .openAIResponsesInputTokens, "\(base)")
            #expect(try surface(gw, .POST, base + "/embeddings") == .openAIEmbeddings, "\(base)")
            #expect(try surface(gw, .POST, base + "/completions") == .openAICompletions, "\(base)")
            #expect(try surface(gw, .GET, base + "/models") == .openAIModels, "\(base)")
        }
        #expect(try surface(gw, .POST, "/openai/openai/deployments/gpt-4o/chat/completions") == .azureChat)
        #expect(try surface(gw, .POST, "/openai/deployments/gpt-4o/chat/completions") == .azureChat)
        #expect(try surface(gw, .POST, "/anthropic/v1/messages") == .anthropicMessages)
        #expect(try surface(gw, .POST, "/v1/messages") == .anthropicMessages)
        #expect(try surface(gw, .POST, "/anthropic/v1/messages/count_tokens") == .anthropicCountTokens)
        #expect(try surface(gw, .GET, "/anthropic/v1/models") == .anthropicModels)
        for v in ["v1", "v1beta"] {
            let m = "/genai/\(v)/models/gemini-2.0-flash"
            #expect(try surface(gw, .POST, m + ":generateContent") == .genai, "\(v)")
            #expect(try surface(gw, .POST, m + ":streamGenerateContent") == .genai, "\(v)")
            #expect(try surface(gw, .POST, m + ":countTokens") == .genaiCountTokens, "\(v)")
            #expect(try surface(gw, .POST, m + ":embedContent") == .genaiEmbed, "\(v)")
            #expect(try surface(gw, .POST, m + ":batchEmbedContents") == .genaiEmbed, "\(v)")
            #expect(try surface(gw, .GET, "/genai/\(v)/models") == .genaiModels, "\(v)")
        }
        // A model with slashes, as `provider/model`.
        #expect(try surface(gw, .POST, "/genai/v1beta/models/anthropic/claude-x:generateContent") == .genai)
    }

    @Test func unservedPathsHaveNoSurfaceAndAnswerInTheirFamilysShape() throws {
        let gw = try Self.shipped()
        for (method, path, family) in [
            (HTTPMethod.POST, "/genai/v1beta/models/gemini-2.0-flash:predict", WireProtocol.gemini),
            (.POST, "/genai/v1beta/cachedContents", .gemini),
            (.POST, "/openai/v1/images/generations", .openAIChat),
            (.POST, "/anthropic/v1/complete", .anthropicMessages),
            (.GET, "/v1/chat/completions", .openAIChat),
        ] {
            #expect(try surface(gw, method, path) == nil, "\(path)")
            #expect(try gw.request(path, method: method).inboundProtocol == family, "\(path)")
            let ctx = try gw.request(path, method: method)
            let proxy = try #require(ctx.route.plugins.compactMap { $0 as? AIProxyPlugin }.first)
            guard case .respond(.error(let e)) = proxy.upstream(ctx) else {
                Issue.record("\(path) was not answered at once")
                continue
            }
            #expect(e.status == 404, "\(path)")
        }
    }

    /// An exact route without `surface:` serves OpenAI chat, whatever its path (APISIX).
    @Test func anExactRouteWithoutSurfaceIsChat() throws {
        let gw = try TestGateway("""
            routes:
              - id: chat
                uri: /my/llm
                plugins: [{ai-proxy: {provider: openai, model: gpt-4o-mini}}]
            """)
        #expect(try surface(gw, .POST, "/my/llm") == .openAIChat)
    }
}
