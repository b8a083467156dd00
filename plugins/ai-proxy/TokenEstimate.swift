import TollgateCore
import TollgateJSON
import TollgateProtocols

/// `/anthropic/v1/messages/count_tokens` for a model whose provider has no such endpoint:
/// an estimate of about four characters per token over every text the request carries
/// (system, messages, tool schemas). Only Anthropic's own endpoint gives exact counts; the
/// docs say so.
enum TokenEstimate {
    static func countTokensAnswer(_ ctx: RequestContext) throws(GatewayError) -> [UInt8] {
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
        return JSON.object(["input_tokens": .int(Int64(tokens))]).serialized()
    }
}
