import TollgateJSON

/// Reading fields of an inbound OpenAI request, failing with the 400 OpenAI itself would send:
/// the message names the field and `param` carries its path.
enum OpenAIChatField: FieldReading {
    static func missing(_ path: String) -> GatewayError {
        .badRequest("Missing required parameter: '\(path)'.", param: path)
    }

    static func invalid(_ path: String, expected: String) -> GatewayError {
        .badRequest("Invalid type for '\(path)': expected \(expected).", param: path)
    }

    static func invalidValue(_ path: String, _ message: String) -> GatewayError {
        .badRequest("Invalid value for '\(path)': \(message)", param: path)
    }

    static func describe(_ kind: FieldKind) -> String {
        switch kind {
        case .string: return "a string"
        case .integer: return "an integer"
        case .number: return "a number"
        case .boolean: return "a boolean"
        case .object: return "an object"
        case .array: return "an array"
        }
    }
}
