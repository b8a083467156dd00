import NIOHTTP1
import Testing
import TollgateCore

@testable import TollgatePlugins

/// Where a client's key is found: one pass over the headers, precedence by header name.
@Suite struct PresentedCredentialsTests {
    @Test func bearerPrefixAndSpacesAreStripped() {
        #expect(PresentedCredentials.value("Bearer  sk-vk-1 ", bearer: true) == "sk-vk-1")
        #expect(PresentedCredentials.value("bEaReR sk-vk-1", bearer: true) == "sk-vk-1")
        #expect(PresentedCredentials.value("Basic abc", bearer: true) == nil)
        #expect(PresentedCredentials.value("Bearer    ", bearer: true) == nil)
        #expect(PresentedCredentials.value("  k-é  ", bearer: false) == "k-é")
        #expect(PresentedCredentials.value("", bearer: false) == nil)
    }

    @Test func precedenceFollowsNamesNotHeaderOrder() {
        let h = HTTPHeaders([
            ("API-Key", "azure-style"), ("x-api-key", ""), ("X-Api-Key", "anthropic-style"),
            ("Authorization", "Bearer openai-style"), ("X-BF-VK", "vk-1"), ("x-bf-vk", "vk-2"),
        ])
        let p = PresentedCredentials.presented(in: h)
        #expect(p.virtualKey == "vk-1")
        // authorization, x-api-key, x-goog-api-key, api-key; an empty value gives way to the next one
        #expect(p.credentials == ["openai-style", "anthropic-style", nil, "azure-style"])
    }
}
