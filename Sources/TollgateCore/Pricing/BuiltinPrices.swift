/// List prices of common models, USD per 1M tokens (standard tier, prompts under any
/// long-context threshold), as the providers' pricing pages showed them in November 2026.
/// Each entry also covers dated snapshots and suffixes by prefix: `claude-sonnet-4` prices
/// `claude-sonnet-4-20250514`; the longest matching prefix wins (`gpt-4o-mini` over `gpt-4o`).
/// `pricing:` in routes.yaml overrides any of these and adds models.
///
/// Simplifications, on purpose: Anthropic cache writes are priced as plain input (the codec
/// folds them into input tokens); long-context surcharges (Gemini 2.5 Pro over 200k) and batch
/// discounts are ignored.
enum BuiltinPrices {
    typealias Entry = (model: String, price: ModelPrice)

    static func p(_ input: Double, _ output: Double, cached: Double? = nil) -> ModelPrice {
        ModelPrice(input: input, output: output, cachedInput: cached)
    }

    static let table: [String: [Entry]] = [
        "openai": [
            ("gpt-4o", p(2.50, 10.00, cached: 1.25)),
            ("gpt-4o-mini", p(0.15, 0.60, cached: 0.075)),
            ("gpt-4.1", p(2.00, 8.00, cached: 0.50)),
            ("gpt-4.1-mini", p(0.40, 1.60, cached: 0.10)),
            ("gpt-4.1-nano", p(0.10, 0.40, cached: 0.025)),
            ("gpt-5", p(1.25, 10.00, cached: 0.125)),
            ("gpt-5-mini", p(0.25, 2.00, cached: 0.025)),
            ("gpt-5-nano", p(0.05, 0.40, cached: 0.005)),
            ("o1", p(15.00, 60.00, cached: 7.50)),
            ("o3", p(2.00, 8.00, cached: 0.50)),
            ("o3-mini", p(1.10, 4.40, cached: 0.55)),
            ("o4-mini", p(1.10, 4.40, cached: 0.275)),
            ("gpt-4-turbo", p(10.00, 30.00)),
            ("gpt-3.5-turbo", p(0.50, 1.50)),
            ("text-embedding-3-small", p(0.02, 0)),
            ("text-embedding-3-large", p(0.13, 0)),
            ("text-embedding-ada-002", p(0.10, 0)),
        ],
        "anthropic": [
            ("claude-3-haiku", p(0.25, 1.25, cached: 0.03)),
            ("claude-3-opus", p(15.00, 75.00, cached: 1.50)),
            ("claude-3-5-haiku", p(0.80, 4.00, cached: 0.08)),
            ("claude-3-5-sonnet", p(3.00, 15.00, cached: 0.30)),
            ("claude-3-7-sonnet", p(3.00, 15.00, cached: 0.30)),
            ("claude-haiku-4-5", p(1.00, 5.00, cached: 0.10)),
            ("claude-sonnet-4", p(3.00, 15.00, cached: 0.30)),
            ("claude-opus-4", p(15.00, 75.00, cached: 1.50)),
            ("claude-opus-4-1", p(15.00, 75.00, cached: 1.50)),
            ("claude-opus-4-5", p(5.00, 25.00, cached: 0.50)),
            ("claude-opus-4-6", p(5.00, 25.00, cached: 0.50)),
        ],
        "gemini": [
            ("gemini-1.5-flash", p(0.075, 0.30)),
            ("gemini-1.5-pro", p(1.25, 5.00)),
            ("gemini-2.0-flash", p(0.10, 0.40, cached: 0.025)),
            ("gemini-2.0-flash-lite", p(0.075, 0.30)),
            ("gemini-2.5-flash", p(0.30, 2.50, cached: 0.075)),
            ("gemini-2.5-flash-lite", p(0.10, 0.40, cached: 0.025)),
            ("gemini-2.5-pro", p(1.25, 10.00, cached: 0.31)),
        ],
        "mistral": [
            ("mistral-large", p(2.00, 6.00)),
            ("mistral-medium", p(0.40, 2.00)),
            ("mistral-small", p(0.10, 0.30)),
            ("codestral", p(0.30, 0.90)),
            ("open-mistral-nemo", p(0.15, 0.15)),
            ("ministral-8b", p(0.10, 0.10)),
        ],
        "groq": [
            ("llama-3.3-70b-versatile", p(0.59, 0.79)),
            ("llama-3.1-8b-instant", p(0.05, 0.08)),
            ("openai/gpt-oss-120b", p(0.15, 0.75)),
            ("openai/gpt-oss-20b", p(0.10, 0.50)),
        ],
        "deepseek": [
            ("deepseek-chat", p(0.28, 0.42, cached: 0.028)),
            ("deepseek-reasoner", p(0.28, 0.42, cached: 0.028)),
        ],
        "xai": [
            ("grok-3", p(3.00, 15.00)),
            ("grok-3-mini", p(0.30, 0.50)),
            ("grok-4", p(3.00, 15.00)),
        ],
        // Local models cost nothing per token.
        "ollama": [("", p(0, 0))],
    ]

    /// Providers that serve another's models under the same names.
    static let aliases = ["azure": "openai", "vertex": "gemini"]
}
