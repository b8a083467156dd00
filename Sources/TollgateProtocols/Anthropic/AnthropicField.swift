import TollgateJSON

/// Reading fields of an inbound Anthropic request, failing with a 400 worded as Anthropic's
/// own validation errors are (`messages.0.role: Field required`); `param` carries the path.
enum AnthropicField {
    static func missing(_ path: String) -> GatewayError {
        .badRequest("\(path): Field required", param: path)
    }

    static func invalid(_ path: String, expected: String) -> GatewayError {
        .badRequest("\(path): Input should be \(expected)", param: path)
    }

    static func invalidValue(_ path: String, _ message: String) -> GatewayError {
        .badRequest("\(path): \(message)", param: path)
    }

    static func string(_ v: JSON?, _ path: String) throws(GatewayError) -> String? {
        guard let v, !v.isNull else { return nil }
        guard let s = v.string else { throw invalid(path, expected: "a valid string") }
        return s
    }

    static func requiredString(_ v: JSON?, _ path: String) throws(GatewayError) -> String {
        guard let s = try string(v, path) else { throw missing(path) }
        return s
    }

    static func int(_ v: JSON?, _ path: String) throws(GatewayError) -> Int? {
        guard let v, !v.isNull else { return nil }
        guard let i = v.int else { throw invalid(path, expected: "a valid integer") }
        return i
    }

    static func double(_ v: JSON?, _ path: String) throws(GatewayError) -> Double? {
        guard let v, !v.isNull else { return nil }
        guard let d = v.double else { throw invalid(path, expected: "a valid number") }
        return d
    }

    static func bool(_ v: JSON?, _ path: String) throws(GatewayError) -> Bool? {
        guard let v, !v.isNull else { return nil }
        guard let b = v.bool else { throw invalid(path, expected: "a valid boolean") }
        return b
    }

    static func object(_ v: JSON?, _ path: String) throws(GatewayError) -> JSONObject? {
        guard let v, !v.isNull else { return nil }
        guard let o = v.object else { throw invalid(path, expected: "a valid dictionary") }
        return o
    }

    static func array(_ v: JSON?, _ path: String) throws(GatewayError) -> [JSON]? {
        guard let v, !v.isNull else { return nil }
        guard let a = v.array else { throw invalid(path, expected: "a valid list") }
        return a
    }
}
