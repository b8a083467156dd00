import TollgateJSON
import TollgateProtocols

/// A request's worst case before it goes upstream: what budgets and token limits reserve
/// (spec section 11), replaced by the real usage when it is known.
public struct WorstCase: Sendable, Equatable {
    /// Input estimate plus the request's output cap.
    public var tokens: Int
    /// `tokens` priced: the input estimate at the input price, the cap at the output price.
    /// Zero when the model has no price.
    public var usd: Double

    public init(tokens: Int, usd: Double) {
        self.tokens = tokens
        self.usd = usd
    }

    /// The output caps of every surface: OpenAI chat, Anthropic, Responses, Gemini.
    static let capFields = ["max_completion_tokens", "max_tokens", "max_output_tokens"]

    /// About four bytes a token over the whole body: an upper bound of its text (JSON syntax
    /// and keys count too), known without parsing it, so a passthrough route that only skims
    /// its body keeps doing so. A request without an output cap reserves its input only (the
    /// docs say so: set `max_tokens` for an exact budget).
    public static func inputEstimate(bodyBytes: Int) -> Int {
        max(1, (bodyBytes + 3) / 4)
    }

    /// The first output cap present, read through `field` (the skim's top-level lookup).
    static func outputCap(_ field: (String) throws(GatewayError) -> JSON?) throws(GatewayError) -> Int {
        for f in capFields {
            if let n = positive(try field(f)) { return n }
        }
        return positive(try field("generationConfig")?["maxOutputTokens"]) ?? 0
    }

    static func positive(_ v: JSON?) -> Int? {
        switch v {
        case .int(let n)? where n > 0: return Int(clamping: n)
        case .double(let d)? where d > 0 && d < 1e12: return Int(d)
        default: return nil
        }
    }
}

extension RequestContext {
    /// The worst case of this request for its target's price: the body's size and its output
    /// cap, read from the skim (or the parse, when a plugin made one). Called only for keys
    /// with a budget or a token limit.
    public func worstCase() throws(GatewayError) -> WorstCase {
        let input = WorstCase.inputEstimate(bodyBytes: body.readableBytes)
        let output = try WorstCase.outputCap { (f) throws(GatewayError) in try topLevel(f) }
        var usd = 0.0
        if let t = try? resolveTarget(), let p = runtime.prices.price(provider: t.provider, model: t.model) {
            usd = (Double(input) * p.input + Double(output) * p.output) / 1_000_000
        }
        return WorstCase(tokens: input + output, usd: usd)
    }
}
