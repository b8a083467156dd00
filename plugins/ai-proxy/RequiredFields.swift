import TollgateCore
import TollgateJSON
import TollgateProtocols

/// The fields without which a request cannot mean anything, checked even when the body passes
/// through untranslated, so the client gets its 400 from us rather than a provider's guess.
/// (Translated requests get the same checks, and more, from their protocol's decoder.)
enum RequiredFields {
    static func check(_ surface: Surface, _ body: JSON) throws(GatewayError) {
        switch surface {
        case .openAIChat, .azureChat, .anthropicMessages, .anthropicCountTokens:
            guard let m = body["messages"] else { throw GatewayError.badRequest("missing messages", param: "messages") }
            guard m.array != nil else { throw GatewayError.badRequest("messages must be an array", param: "messages") }
        case .openAIResponses, .openAIEmbeddings:
            guard body["input"] != nil else { throw GatewayError.badRequest("missing input", param: "input") }
        case .genai:
            guard body["contents"]?.array != nil else { throw GatewayError.badRequest("missing contents", param: "contents") }
        case .openAIModels:
            break
        }
    }
}
