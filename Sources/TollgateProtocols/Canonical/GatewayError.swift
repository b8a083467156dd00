/// An error as the gateway reasons about it: an HTTP status and a kind that each protocol maps
/// to its own error type, so each SDK raises its own exception class.
public struct GatewayError: Error, Sendable, Equatable {
    public var status: Int
    public var kind: Kind
    public var message: String
    /// OpenAI `param`.
    public var param: String?
    /// OpenAI `code`; kept from upstream errors when present.
    public var code: String?
    /// Seconds, for 429s: sent as `retry-after`.
    public var retryAfter: Int?

    public enum Kind: String, Sendable, Equatable {
        case invalidRequest  // 400
        case authentication  // 401
        case permission  // 403
        case notFound  // 404
        case requestTooLarge  // 413
        case rateLimit  // 429
        case apiError  // 500, 502
        case timeout  // 504
        case overloaded  // 529, 503
    }

    public init(status: Int, kind: Kind, message: String, param: String? = nil, code: String? = nil, retryAfter: Int? = nil) {
        self.status = status
        self.kind = kind
        self.message = message
        self.param = param
        self.code = code
        self.retryAfter = retryAfter
    }

    /// The kind an HTTP status implies, for upstream errors whose body says nothing better.
    public static func kind(forStatus status: Int) -> Kind {
        switch status {
        case 400, 422: return .invalidRequest
        case 401: return .authentication
        case 403: return .permission
        case 404: return .notFound
        case 413: return .requestTooLarge
        case 429: return .rateLimit
        case 504, 408: return .timeout
        case 503, 529: return .overloaded
        default: return status >= 500 ? .apiError : .invalidRequest
        }
    }

    public static func badRequest(_ message: String, param: String? = nil) -> GatewayError {
        GatewayError(status: 400, kind: .invalidRequest, message: message, param: param)
    }
}
