/// What one model costs, in USD per one million tokens.
public struct ModelPrice: Sendable, Equatable {
    public var input: Double
    public var output: Double
    /// Prompt tokens served from the provider's cache; nil prices them as ordinary input.
    public var cachedInput: Double?

    public init(input: Double, output: Double, cachedInput: Double? = nil) {
        self.input = input
        self.output = output
        self.cachedInput = cachedInput
    }
}
