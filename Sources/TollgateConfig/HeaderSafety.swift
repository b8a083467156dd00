/// Values the gateway writes into HTTP headers or request lines without NIO having parsed them
/// off the wire: keys and names from the config or the environment, and model names from
/// request bodies. NIO's outbound header validation is off on the request path (it was a
/// quarter of the gateway's instructions per request), so such values are checked once, where
/// they enter: at config load, or when a request's model is resolved.
public enum HeaderSafety {
    /// No control character but tab: CR or LF would end the header and start another.
    @inlinable
    public static func isSafeValue(_ value: String) -> Bool {
        for b in value.utf8 where (b < 0x20 && b != 0x09) || b == 0x7F { return false }
        return true
    }

    /// A name that goes into a URL path and a header value (a model, a deployment): no control
    /// character, no space, and neither `?` nor `#`, which would end the path.
    /// Runs per request (model names), hence concrete and inlinable: a generic over
    /// `StringProtocol` called across modules is unspecialized and ten times slower.
    @inlinable
    public static func isSafeToken(_ value: String) -> Bool {
        for b in value.utf8 where b <= 0x20 || b == 0x7F || b == UInt8(ascii: "?") || b == UInt8(ascii: "#") { return false }
        return true
    }
}

extension ConfigNode {
    /// A string that will be sent in a header (a key, an API version).
    public func headerString() throws(ConfigError) -> String {
        let s = try string()
        guard HeaderSafety.isSafeValue(s) else { throw error("contains a control character (a stray newline?); it is sent in an HTTP header") }
        return s
    }

    /// A string that will be part of an upstream URL path (a project, a region, a deployment).
    public func pathToken() throws(ConfigError) -> String {
        let s = try string()
        guard HeaderSafety.isSafeToken(s) else { throw error("must not contain spaces, control characters, '?' or '#'; it is part of the upstream URL") }
        return s
    }
}

extension ConfigMapping {
    public func headerString(_ key: String) throws(ConfigError) -> String? {
        try present(key)?.headerString()
    }

    public func pathToken(_ key: String) throws(ConfigError) -> String? {
        try present(key)?.pathToken()
    }
}
