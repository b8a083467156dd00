import NIOHTTP1
import Testing
import TollgateConfig
import TollgateCore
@testable import TollgatePlugins

func allowlistYAML(_ allow: String) -> String {
    """
    store: memory
    routes:
      - id: chat
        uri: /v1/chat/completions
        plugins:
          - header-allowlist: {allow: \(allow)}
          - ai-proxy: {surface: openai-chat, api_key: sk-up}
    """
}

/// Runs the rewrite phase and returns what would go upstream from the client.
func forwarded(_ allow: String, _ headers: [(String, String)]) throws -> HTTPHeaders {
    let gw = try TestGateway(allowlistYAML(allow))
    let ctx = try gw.request(headers: headers)
    #expect(try gw.plugin(HeaderAllowlistPlugin.self).rewrite(ctx).isNext)
    return ctx.forwardHeaders
}

@Suite struct HeaderAllowlistTests {
    @Test func nothingUnlessListed() throws {
        let h = try forwarded("[]", [("anthropic-beta", "tools-2024"), ("x-custom", "1"), ("user-agent", "sdk")])
        #expect(h.isEmpty)
    }

    @Test func listedNamesCaseInsensitive() throws {
        let h = try forwarded("[Anthropic-Beta, x-trace]", [("anthropic-beta", "a"), ("X-TRACE", "t"), ("x-other", "o")])
        #expect(h.first(name: "anthropic-beta") == "a")
        #expect(h.first(name: "x-trace") == "t")
        #expect(!h.contains(name: "x-other"))
        #expect(h.count == 2)
    }

    @Test func prefixPatterns() throws {
        let h = try forwarded("[\"x-team-*\"]", [("x-team-id", "1"), ("X-Team-Cost-Center", "2"), ("x-teams", "3")])
        #expect(h.first(name: "x-team-id") == "1" && h.first(name: "x-team-cost-center") == "2")
        #expect(!h.contains(name: "x-teams"))
    }

    @Test func extraHeaderConvention() throws {
        let h = try forwarded("[openai-organization]", [("x-bf-eh-openai-organization", "org-1"), ("x-bf-eh-x-secret", "no")])
        #expect(h.first(name: "openai-organization") == "org-1")
        #expect(!h.contains(name: "x-secret") && !h.contains(name: "x-bf-eh-x-secret"))
    }

    @Test func credentialsAndHopByHopNeverGo() throws {
        let listed = "[authorization, cookie, x-api-key, x-goog-api-key, api-key, proxy-authorization, x-bf-vk, host, content-length, connection, transfer-encoding, te, upgrade, keep-alive, accept-encoding, \"x-bf-*\", x-drop]"
        let h = try forwarded(listed, [
            ("Authorization", "Bearer vk"), ("Cookie", "c=1"), ("x-api-key", "k"), ("x-goog-api-key", "k"), ("api-key", "k"),
            ("proxy-authorization", "p"), ("x-bf-vk", "vk"), ("host", "h"), ("content-length", "1"), ("connection", "x-drop"),
            ("te", "trailers"), ("upgrade", "h2c"), ("keep-alive", "5"), ("accept-encoding", "gzip"), ("x-bf-async", "true"),
            ("x-bf-eh-authorization", "Bearer sneaky"), ("x-bf-eh-cookie", "c"), ("x-drop", "listed but named by Connection"),
        ])
        #expect(h.isEmpty, "\(h)")
    }

    @Test func everythingPattern() throws {
        let h = try forwarded("[\"*\"]", [("authorization", "Bearer x"), ("anthropic-beta", "b"), ("x-bf-vk", "v")])
        #expect(h.first(name: "anthropic-beta") == "b" && h.count == 1)
    }

    @Test func badNamesAreConfigErrors() {
        #expect(throws: ConfigErrors.self) { _ = try TestGateway(allowlistYAML("[\"bad header\"]")) }
        #expect(throws: ConfigErrors.self) { _ = try TestGateway(allowlistYAML("[a]").replacingOccurrences(of: "allow:", with: "alow:")) }
    }
}

@Suite struct DirectKeyTests {
    let yaml = """
        store: memory
        virtual_keys:
          - {key: vk-team, name: team}
        routes:
          - id: chat
            uri: /v1/chat/completions
            plugins:
              - ai-proxy: {surface: openai-chat, allow_direct_keys: true}
        """

    @Test(arguments: [("authorization", "Bearer sk-own"), ("x-api-key", "sk-own"), ("x-goog-api-key", "sk-own"), ("api-key", "sk-own")])
    func readsEachHeader(_ name: String, _ value: String) throws {
        let gw = try TestGateway(yaml)
        #expect(DirectKey.find(nativeTo: "openai", try gw.request(headers: [(name, value)])) == "sk-own")
    }

    @Test func aVirtualKeyIsNeverADirectKey() throws {
        let gw = try TestGateway(yaml)
        #expect(DirectKey.find(nativeTo: "openai", try gw.request(headers: [("authorization", "Bearer vk-team")])) == nil)
        #expect(DirectKey.find(nativeTo: "openai", try gw.request(headers: [("authorization", "Bearer vk-team"), ("x-api-key", "sk-own")])) == "sk-own")
        #expect(DirectKey.find(nativeTo: "openai", try gw.request(headers: [("authorization", "Basic abc")])) == nil)
        #expect(DirectKey.find(nativeTo: "openai", try gw.request(headers: [])) == nil)
    }

    /// SDKs send their own key header beside the one a user adds: the target's own wins.
    @Test func theTargetProvidersOwnHeaderWins() throws {
        let gw = try TestGateway(yaml)
        let headers = [("authorization", "Bearer sdk-dummy-key"), ("x-api-key", "sk-ant-own"), ("x-goog-api-key", "g-own")]
        #expect(DirectKey.find(nativeTo: "anthropic", try gw.request(headers: headers)) == "sk-ant-own")
        #expect(DirectKey.find(nativeTo: "gemini", try gw.request(headers: headers)) == "g-own")
        #expect(DirectKey.find(nativeTo: "openai", try gw.request(headers: headers)) == "sdk-dummy-key")
        // A virtual key in the native header is skipped, never forwarded.
        #expect(DirectKey.find(nativeTo: "anthropic", try gw.request(headers: [("x-api-key", "vk-team"), ("authorization", "Bearer sk-o")])) == "sk-o")
    }
}

extension DirectKey {
    /// `find` for the named provider of the request's config.
    static func find(nativeTo provider: String, _ ctx: RequestContext) -> String? {
        ctx.runtime.providers[provider].flatMap { find(ctx, nativeTo: $0) }
    }
}
