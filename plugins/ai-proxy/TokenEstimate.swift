import TollgateCore
import TollgateJSON
import TollgateProtocols

/// A token count for a model whose provider cannot count (OpenAI-compatible servers, Ollama,
/// Azure): an estimate of about four characters per token over every text the request carries
/// (system, messages, tool schemas), in the client's count shape. Only the providers' own
/// endpoints give exact counts; the docs say so, and the answer carries
/// `x-tollgate-token-count: estimate`.
enum TokenEstimate {
    static func countTokensAnswer(_ ctx: RequestContext, for p: WireProtocol) throws(GatewayError) -> [UInt8] {
        let body = try ctx.json()
        var chars = 0
        func walk(_ v: JSON) {
            switch v {
            case .string(let s): chars += s.utf8.count
            case .array(let a): a.forEach(walk)
            case .object(let o): for (k, x) in o where k != "model" { walk(x) }
            default: break
            }
        }
        walk(body)
        let tokens = max(1, (chars + 3) / 4)
        return CountTokensStrategy.answer(tokens, for: p).serialized()
    }
}
