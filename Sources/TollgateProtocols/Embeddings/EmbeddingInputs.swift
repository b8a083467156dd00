import TollgateJSON

/// OpenAI and Ollama both take `input` as one string or an array of strings.
enum EmbeddingInputs {
    static func decode(_ input: JSON?) throws(GatewayError) -> [String] {
        switch input {
        case .string(let s)?: return [s]
        case .array(let a)? where !a.isEmpty:
            var out: [String] = []
            out.reserveCapacity(a.count)
            for v in a {
                // Token arrays ([Int] / [[Int]]) belong to one tokenizer; no other provider reads them.
                guard let s = v.string else { throw .badRequest("input must be a string or an array of strings", param: "input") }
                out.append(s)
            }
            return out
        default:
            throw .badRequest("`input` is required: a string or a non-empty array of strings", param: "input")
        }
    }

    static func vector(_ v: JSON?) -> [Double]? { v?.array?.compactMap(\.double) }

    static func vectorJSON(_ v: [Double]) -> JSON { .array(v.map(JSON.double)) }
}
