import TollgateJSON

/// Anthropic's error body, `{"type": "error", "error": {"type", "message"}}`, both ways. The
/// SDKs choose their exception class by HTTP status; `error.type` names it for callers.
enum AnthropicErrors {
    static func type(for kind: GatewayError.Kind) -> String {
        switch kind {
        case .invalidRequest: return "invalid_request_error"
        case .authentication: return "authentication_error"
        case .permission: return "permission_error"
        case .notFound: return "not_found_error"
        case .requestTooLarge: return "request_too_large"
        case .rateLimit: return "rate_limit_error"
        case .apiError: return "api_error"
        case .timeout: return "timeout_error"
        case .overloaded: return "overloaded_error"
        }
    }

    /// The status an error type stands for, for errors inside a stream (sent with HTTP 200).
    static func status(forType type: String?) -> Int {
        switch type {
        case "invalid_request_error": return 400
        case "authentication_error": return 401
        case "billing_error": return 402
        case "permission_error": return 403
        case "not_found_error": return 404
        case "request_too_large": return 413
        case "rate_limit_error": return 429
        case "timeout_error": return 504
        case "overloaded_error": return 529
        default: return 500
        }
    }

    static func encode(_ e: GatewayError) -> JSON {
        ["type": "error", "error": ["type": .string(type(for: e.kind)), "message": .string(e.message)]]
    }

    static func decode(status: Int, body: [UInt8]) -> GatewayError {
        if let json = try? JSON.parse(body), let e = decode(status: status, json: json) { return e }
        // Not Anthropic's shape (a proxy's page, an OpenAI-style body from a compatible host).
        return OpenAIChatErrors.decode(status: status, body: body)
    }

    /// The error object of a body or stream event; nil when there is none.
    static func decode(status: Int, json: JSON) -> GatewayError? {
        guard let error = json["error"]?.object, let message = error["message"]?.string else { return nil }
        let type = error["type"]?.string
        let status = status >= 400 ? status : self.status(forType: type)
        let kind = GatewayError.kind(forStatus: status)
        // A type finer than the status says (billing_error, …) is kept as the code.
        let code = type.flatMap { $0 == self.type(for: kind) ? nil : $0 }
        return GatewayError(status: status, kind: kind, message: message, code: code)
    }
}
