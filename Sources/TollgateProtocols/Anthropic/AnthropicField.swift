import TollgateJSON

/// Reading fields of an inbound Anthropic request, failing with a 400 worded as Anthropic's
/// own validation errors are (`messages.0.role: Field required`); `param` carries the path.
enum AnthropicField: FieldReading {
    static func missing(_ path: String) -> GatewayError {
        .badRequest("\(path): Field required", param: path)
    }

    static func invalid(_ path: String, expected: String) -> GatewayError {
        .badRequest("\(path): Input should be \(expected)", param: path)
    }

    static func invalidValue(_ path: String, _ message: String) -> GatewayError {
        .badRequest("\(path): \(message)", param: path)
    }

    static func describe(_ kind: FieldKind) -> String {
        switch kind {
        case .string: return "a valid string"
        case .integer: return "a valid integer"
        case .number: return "a valid number"
        case .boolean: return "a valid boolean"
        case .object: return "a valid dictionary"
        case .array: return "a valid list"
        }
    }
}
