import TollgateCore
import TollgateJSON
import TollgateProtocols

/// The fields without which a request cannot mean anything, checked even when the body passes
/// through untranslated, so the client gets its 400 from us rather than a provider's guess.
/// (Translated requests get the same checks, and more, from their protocol's decoder.)
enum RequiredFields {
    /// Reads the skim only: the values themselves are the provider's to judge.
    static func check(_ surface: Surface, _ body: JSONSkim) throws(GatewayError) {
        switch surface {
        case .openAIChat, .azureChat, .anthropicMessages, .anthropicCountTokens:
            guard let m = body.entry("messages") else { throw GatewayError.badRequest("missing messages", param: "messages") }
            guard m.first == UInt8(ascii: "[") else { throw GatewayError.badRequest("messages must be an array", param: "messages") }
        case .openAIResponses, .openAIEmbeddings:
            guard body.entry("input") != nil else { throw GatewayError.badRequest("missing input", param: "input") }
        case .openAICompletions:
            guard body.entry("prompt") != nil else { throw GatewayError.badRequest("missing prompt", param: "prompt") }
        case .genai:
            guard body.entry("contents")?.first == UInt8(ascii: "[") else {
                throw GatewayError.badRequest("missing contents", param: "contents")
            }
        case .genaiCountTokens:
            guard body.entry("contents") != nil || body.entry("generateContentRequest") != nil else {
                throw GatewayError.badRequest("missing contents", param: "contents")
            }
        case .openAIResponsesInputTokens, .genaiEmbed, .openAIModels, .anthropicModels, .genaiModels:
            break
        }
    }
}
