import TollgateJSON

/// Reading fields of an inbound OpenAI request, failing with the 400 OpenAI itself would send:
/// the message names the field and `param` carries its path.
enum OpenAIChatField {
    static func missing(_ path: String) -> GatewayError {
        .badRequest("Missing required parameter: '\(path)'.", param: path)
    }

    static func invalid(_ path: String, expected: String) -> GatewayError {
        .badRequest("Invalid type for '\(path)': expected \(expected).", param: path)
    }

    static func invalidValue(_ path: String, _ message: String) -> GatewayError {
        .badRequest("Invalid value for '\(path)': \(message)", param: path)
    }

    /// `nil` when absent or null; throws when present with another type.
    static func string(_ v: JSON?, _ path: String) throws(GatewayError) -> String? {
        guard let v, !v.isNull else { return nil }
        guard let s = v.string else { throw invalid(path, expected: "a string") }
        return s
    }

    static func requiredString(_ v: JSON?, _ path: String) throws(GatewayError) -> String {
        guard let s = try string(v, path) else { throw missing(path) }
        return s
    }

    static func int(_ v: JSON?, _ path: String) throws(GatewayError) -> Int? {
        guard let v, !v.isNull else { return nil }
        guard let i = v.int else { throw invalid(path, expected: "an integer") }
        return i
    }

    static func double(_ v: JSON?, _ path: String) throws(GatewayError) -> Double? {
        guard let v, !v.isNull else { return nil }
        guard let d = v.double else { throw invalid(path, expected: "a number") }
        return d
    }

    static func bool(_ v: JSON?, _ path: String) throws(GatewayError) -> Bool? {
        guard let v, !v.isNull else { return nil }
        guard let b = v.bool else { throw invalid(path, expected: "a boolean") }
        return b
    }

    static func object(_ v: JSON?, _ path: String) throws(GatewayError) -> JSONObject? {
        guard let v, !v.isNull else { return nil }
        guard let o = v.object else { throw invalid(path, expected: "an object") }
        return o
    }

    static func array(_ v: JSON?, _ path: String) throws(GatewayError) -> [JSON]? {
        guard let v, !v.isNull else { return nil }
        guard let a = v.array else { throw invalid(path, expected: "an array") }
        return a
    }
}
