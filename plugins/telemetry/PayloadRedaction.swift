import NIOCore
import TollgateJSON

/// Payload text for the request log: capped, and with any field that looks like a credential
/// replaced. Clients' keys travel in headers, never stored, but a body can still carry one
/// (`api_key` in a tool definition, a provider-specific option), so JSON bodies are walked.
enum PayloadRedaction {
    /// Bodies are kept up to this size; the rest is cut with a marker.
    static let maxBytes = 64 << 10
    static let mask = "[REDACTED]"

    /// A copy of the first `maxBytes + 1` bytes (one over tells "truncated" later): the row
    /// must not keep a large request's whole buffer alive while it waits to be written.
    static func capture(_ buffer: ByteBuffer) -> ByteBuffer {
        ByteBuffer(bytes: buffer.readableBytesView.prefix(maxBytes + 1))
    }

    static func text(_ buffer: ByteBuffer) -> String {
        let bytes = buffer.readableBytesView
        if bytes.count <= maxBytes, var json = try? JSON.parse(Array(bytes)) {
            redact(&json)
            return String(decoding: json.serialized(), as: UTF8.self)
        }
        // Not JSON (a stream's SSE text) or too long to parse whole: kept as text, cut.
        let kept = bytes.prefix(maxBytes)
        var s = String(decoding: kept, as: UTF8.self)
        if bytes.count > maxBytes { s += "…[truncated]" }
        return s
    }

    static func redact(_ value: inout JSON) {
        switch value {
        case .object(let o):
            var out = JSONObject()
            for (k, v) in o {
                if isSecretName(k) {
                    out.append(k, .string(mask))
                } else {
                    var v = v
                    redact(&v)
                    out.append(k, v)
                }
            }
            value = .object(out)
        case .array(let a):
            value = .array(a.map { item in
                var item = item
                redact(&item)
                return item
            })
        default:
            break
        }
    }

    /// `api_key`, `apiKey`, `key`, `authorization`, `x-api-key`, `password`, `secret`,
    /// `access_token`, `client_secret`… Token *counts* (`max_tokens`) are not secrets.
    static func isSecretName(_ name: String) -> Bool {
        let n = name.lowercased()
        if exact.contains(n) { return true }
        return suffixes.contains { n.hasSuffix($0) }
    }

    private static let exact: Set<String> = [
        "key", "apikey", "api_key", "api-key", "authorization", "password", "passwd", "secret", "token",
        "access_token", "refresh_token", "bearer", "credentials", "x-bf-vk",
    ]
    private static let suffixes = ["_key", "-key", "apikey", "_secret", "-secret", "_token", "-token", "password"]
}
