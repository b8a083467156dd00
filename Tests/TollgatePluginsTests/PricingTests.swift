import Testing
import TollgateConfig
import TollgateCore
import TollgateProtocols

@Suite struct PriceTableTests {
    let table = PriceTable()

    @Test func exactAndLongestPrefix() throws {
        #expect(table.price(provider: "openai", model: "gpt-4o")?.input == 2.50)
        #expect(table.price(provider: "openai", model: "gpt-4o-mini")?.input == 0.15)
        #expect(table.price(provider: "openai", model: "gpt-4o-mini-2024-07-18")?.output == 0.60)
        #expect(table.price(provider: "openai", model: "gpt-4o-2024-08-06")?.output == 10.00)
        #expect(table.price(provider: "openai", model: "gpt-4.1-nano")?.input == 0.10)
        #expect(table.price(provider: "anthropic", model: "claude-3-5-sonnet-20241022")?.input == 3)
        #expect(table.price(provider: "anthropic", model: "claude-opus-4-1-20250805")?.output == 75)
        #expect(table.price(provider: "anthropic", model: "claude-opus-4-5")?.output == 25)
        #expect(table.price(provider: "gemini", model: "gemini-2.5-flash-lite")?.input == 0.10)
        #expect(table.price(provider: "gemini", model: "gemini-2.5-flash")?.input == 0.30)
        #expect(table.price(provider: "groq", model: "llama-3.1-8b-instant")?.input == 0.05)
        #expect(table.price(provider: "deepseek", model: "deepseek-chat") != nil)
        #expect(table.price(provider: "ollama", model: "llama3.1:8b") == ModelPrice(input: 0, output: 0))
    }

    @Test func aliasesAndRouters() {
        #expect(table.price(provider: "azure", model: "gpt-4o-mini")?.input == 0.15)
        #expect(table.price(provider: "vertex", model: "gemini-2.5-pro")?.input == 1.25)
        #expect(table.price(provider: "openrouter", model: "anthropic/claude-sonnet-4")?.output == 15)
    }

    @Test func unknownModelsHaveNoPrice() {
        #expect(table.price(provider: "openai", model: "my-fine-tune") == nil)
        #expect(table.price(provider: "local-vllm", model: "qwen2") == nil)
        #expect(table.cost(Usage(inputTokens: 10), provider: "local-vllm", model: "qwen2") == nil)
    }

    @Test func configOverridesWin() {
        let t = PriceTable(overrides: [
            "openai/gpt-4o-mini": Price(inputPerMillion: 1, outputPerMillion: 2),
            "local-vllm/qwen*": Price(inputPerMillion: 0.5, outputPerMillion: 0.5),
        ])
        #expect(t.price(provider: "openai", model: "gpt-4o-mini") == ModelPrice(input: 1, output: 2))
        #expect(t.price(provider: "openai", model: "gpt-4o-mini-2024-07-18") == ModelPrice(input: 1, output: 2))
        #expect(t.price(provider: "openai", model: "gpt-4o")?.input == 2.50)
        #expect(t.price(provider: "local-vllm", model: "qwen2-7b")?.input == 0.5)
    }

    @Test func costWithCachedInput() throws {
        // gpt-4o: 2.50 in, 1.25 cached, 10 out.
        let u = Usage(inputTokens: 1_000_000, outputTokens: 100_000, cachedInputTokens: 400_000)
        let c = try #require(table.cost(u, provider: "openai", model: "gpt-4o"))
        #expect(abs(c - (0.6 * 2.50 + 0.4 * 1.25 + 0.1 * 10)) < 1e-9)
        // Overrides carry no cached rate: cached tokens cost as input.
        let t = PriceTable(overrides: ["openai/gpt-4o": Price(inputPerMillion: 2, outputPerMillion: 0)])
        #expect(t.cost(u, provider: "openai", model: "gpt-4o") == 2)
    }
}
