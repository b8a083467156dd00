import TollgateJSON

/// Responses (like Chat Completions) carries tool arguments as JSON text; the canonical model
/// holds them parsed, or as `.string(raw)` when a client sent text that is not JSON.
enum ResponsesToolArguments {
    static func parse(_ raw: String) -> JSON {
        if raw.isEmpty { return [:] }
        return (try? JSON.parse(raw)) ?? .string(raw)
    }

    static func text(_ input: JSON) -> String {
        if case .string(let raw) = input { return raw }
        return input.jsonString
    }
}
