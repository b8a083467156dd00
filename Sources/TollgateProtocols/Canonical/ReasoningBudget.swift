/// The one table between OpenAI's reasoning effort words and token budgets (Anthropic
/// `thinking.budget_tokens`, Gemini `thinkingBudget`), so every codec converts the same way.
/// A request carries whichever its client sent; encoders derive the other with these.
extension Reasoning {
    /// low → 1024 (Anthropic's minimum budget), medium → 4096, high → 16384. `minimal` counts
    /// as low; `none` means no reasoning (nil); an unknown word counts as medium.
    public static func budget(forEffort effort: String) -> Int? {
        switch effort {
        case "none": return nil
        case "minimal", "low": return 1024
        case "high": return 16384
        default: return 4096
        }
    }

    /// The nearest effort word for a budget: up to 2048 is low, up to 8192 medium, above high.
    public static func effort(forBudget budget: Int) -> String {
        if budget <= 2048 { return "low" }
        if budget <= 8192 { return "medium" }
        return "high"
    }

    /// The budget to send: as given, else derived from the effort.
    public var resolvedBudgetTokens: Int? {
        budgetTokens ?? effort.flatMap(Reasoning.budget(forEffort:))
    }

    /// The effort to send: as given, else derived from the budget.
    public var resolvedEffort: String? {
        effort ?? budgetTokens.map(Reasoning.effort(forBudget:))
    }
}
