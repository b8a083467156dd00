import TollgateJSON

/// The JSON types a request field can be expected to have.
enum FieldKind {
    case string, integer, number, boolean, object, array
}

/// Typed reads of request fields that fail with a 400 naming the field. Each protocol says
/// only how its own validation errors are worded (so a client sees the message its provider
/// would have sent); the reading is shared.
protocol FieldReading {
    static func missing(_ path: String) -> GatewayError
    static func invalid(_ path: String, expected: String) -> GatewayError
    static func invalidValue(_ path: String, _ message: String) -> GatewayError
    /// How this protocol names a kind in "expected …" messages.
    static func describe(_ kind: FieldKind) -> String
}

extension FieldReading {
    /// `nil` when absent or null; throws when present with another type.
    static func string(_ v: JSON?, _ path: String) throws(GatewayError) -> String? {
        guard let v, !v.isNull else { return nil }
        guard let s = v.string else { throw invalid(path, expected: describe(.string)) }
        return s
    }

    static func requiredString(_ v: JSON?, _ path: String) throws(GatewayError) -> String {
        guard let s = try string(v, path) else { throw missing(path) }
        return s
    }

    static func int(_ v: JSON?, _ path: String) throws(GatewayError) -> Int? {
        guard let v, !v.isNull else { return nil }
        guard let i = v.int else { throw invalid(path, expected: describe(.integer)) }
        return i
    }

    static func double(_ v: JSON?, _ path: String) throws(GatewayError) -> Double? {
        guard let v, !v.isNull else { return nil }
        guard let d = v.double else { throw invalid(path, expected: describe(.number)) }
        return d
    }

    static func bool(_ v: JSON?, _ path: String) throws(GatewayError) -> Bool? {
        guard let v, !v.isNull else { return nil }
        guard let b = v.bool else { throw invalid(path, expected: describe(.boolean)) }
        return b
    }

    static func object(_ v: JSON?, _ path: String) throws(GatewayError) -> JSONObject? {
        guard let v, !v.isNull else { return nil }
        guard let o = v.object else { throw invalid(path, expected: describe(.object)) }
        return o
    }

    static func array(_ v: JSON?, _ path: String) throws(GatewayError) -> [JSON]? {
        guard let v, !v.isNull else { return nil }
        guard let a = v.array else { throw invalid(path, expected: describe(.array)) }
        return a
    }
}
