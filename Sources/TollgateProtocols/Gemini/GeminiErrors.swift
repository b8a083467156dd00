import TollgateJSON

/// Gemini's error body, `{"error": {"code", "message", "status"}}`, where `status` is a
/// google.rpc code name. google-genai raises ClientError/ServerError from `code`, and callers
/// branch on `status`, so both must be right.
enum GeminiErrors {
    static func decode(status: Int, body: [UInt8]) -> GatewayError {
        guard let json = try? JSON.parse(body) else {
            return GatewayError(status: status, kind: GatewayError.kind(forStatus: status), message: text(body))
        }
        return decode(status: status, json: json)
    }

    /// Also used for errors inside a stream. Non-SSE streams wrap the error in an array.
    static func decode(status: Int, json: JSON) -> GatewayError {
        let e = json["error"] ?? json[0]?["error"]
        let rpc = e?["status"]?.string
        let message = e?["message"]?.string ?? json.jsonString
        let kind = rpc.flatMap(kind(forRPC:)) ?? GatewayError.kind(forStatus: status)
        return GatewayError(status: status, kind: kind, message: message)
    }

    static func kind(forRPC s: String) -> GatewayError.Kind? {
        switch s {
        case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE": return .invalidRequest
        case "UNAUTHENTICATED": return .authentication
        case "PERMISSION_DENIED": return .permission
        case "NOT_FOUND": return .notFound
        case "RESOURCE_EXHAUSTED": return .rateLimit
        case "INTERNAL", "UNKNOWN", "DATA_LOSS": return .apiError
        case "UNAVAILABLE": return .overloaded
        case "DEADLINE_EXCEEDED": return .timeout
        default: return nil
        }
    }

    static func rpcStatus(_ k: GatewayError.Kind) -> String {
        switch k {
        case .invalidRequest, .requestTooLarge: return "INVALID_ARGUMENT"
        case .authentication: return "UNAUTHENTICATED"
        case .permission: return "PERMISSION_DENIED"
        case .notFound: return "NOT_FOUND"
        case .rateLimit: return "RESOURCE_EXHAUSTED"
        case .apiError: return "INTERNAL"
        case .timeout: return "DEADLINE_EXCEEDED"
        case .overloaded: return "UNAVAILABLE"
        }
    }

    static func encode(_ e: GatewayError) -> JSON {
        ["error": ["code": JSON(e.status), "message": .string(e.message), "status": .string(rpcStatus(e.kind))]]
    }

    /// A non-JSON body (an HTML page from a proxy) becomes the message, cut to a readable size.
    static func text(_ body: [UInt8]) -> String {
        let s = String(decoding: body.prefix(512), as: UTF8.self)
        return s.isEmpty ? "upstream returned an empty error body" : s
    }
}
