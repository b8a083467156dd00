import TollgateJSON

/// OpenAI's error body, `{"error": {"message", "type", "param", "code"}}`, both ways. The SDKs
/// pick their exception class from the HTTP status; `type` is what callers log and match on.
enum OpenAIChatErrors {
    static func type(for kind: GatewayError.Kind) -> String {
        switch kind {
        case .invalidRequest, .requestTooLarge: return "invalid_request_error"
        case .authentication: return "authentication_error"
        case .permission: return "permission_error"
        case .notFound: return "not_found_error"
        case .rateLimit: return "rate_limit_error"
        case .apiError, .overloaded: return "api_error"
        case .timeout: return "timeout"
        }
    }

    static func encode(_ e: GatewayError) -> JSON {
        var inner = JSONObject()
        inner.append("message", .string(e.message))
        inner.append("type", .string(type(for: e.kind)))
        inner.append("param", e.param.map(JSON.string) ?? .null)
        inner.append("code", (e.code ?? defaultCode(e.kind)).map(JSON.string) ?? .null)
        return ["error": .object(inner)]
    }

    /// Codes OpenAI itself uses for these cases, so clients that switch on `code` still work.
    static func defaultCode(_ kind: GatewayError.Kind) -> String? {
        switch kind {
        case .rateLimit: return "rate_limit_exceeded"
        case .requestTooLarge: return "request_too_large"
        default: return nil
        }
    }

    static func decode(status: Int, body: [UInt8]) -> GatewayError {
        if let json = try? JSON.parse(body), let e = decode(status: status, json: json) { return e }
        return fallback(status: status, body: body)
    }

    /// An error object inside a body or a stream chunk; nil when `json` holds none. `{"error":
    /// "text"}` and a top-level `message` are accepted because compatible servers send them.
    static func decode(status: Int, json: JSON) -> GatewayError? {
        let error = json["error"]
        if let text = error?.string {
            return GatewayError(status: status, kind: GatewayError.kind(forStatus: status), message: text)
        }
        guard let obj = error?.object ?? (json["message"]?.string != nil ? json.object : nil) else { return nil }
        let type = obj["type"]?.string
        // In a stream the HTTP status was 200; the type tells what the status would have been.
        let status = status >= 400 ? status : self.status(forType: type)
        var code: String?
        switch obj["code"] {
        case .string(let s)?: code = s
        case .int(let i)?: code = String(i)
        default: code = nil
        }
        return GatewayError(
            status: status, kind: GatewayError.kind(forStatus: status),
            message: obj["message"]?.string ?? "HTTP \(status)", param: obj["param"]?.string, code: code)
    }

    static func status(forType type: String?) -> Int {
        switch type {
        case "invalid_request_error": return 400
        case "authentication_error": return 401
        case "permission_error": return 403
        case "not_found_error": return 404
        case "rate_limit_error", "rate_limit_exceeded", "insufficient_quota", "tokens": return 429
        case "timeout": return 504
        case "overloaded", "service_unavailable": return 503
        default: return 500
        }
    }

    /// A body that is not an error object: keep the status and show the text (bounded, as an
    /// HTML error page can be large).
    static func fallback(status: Int, body: [UInt8]) -> GatewayError {
        let text = String(decoding: body.prefix(2000), as: UTF8.self)
        let message = text.isEmpty ? "Upstream returned HTTP \(status)." : text
        return GatewayError(status: status, kind: GatewayError.kind(forStatus: status), message: message)
    }
}
