import Foundation
import TollgateProtocols

/// The answers governance gives, in words that name the key but never its secret.
enum GovernanceErrors {
    static let missingKey = GatewayError(
        status: 401, kind: .authentication,
        message: "missing virtual key: send it as x-bf-vk, Authorization: Bearer, x-api-key, x-goog-api-key or api-key",
        code: "invalid_api_key")

    static let unknownKey = GatewayError(
        status: 401, kind: .authentication, message: "invalid virtual key", code: "invalid_api_key")

    static func modelNotAllowed(_ key: String, _ model: String) -> GatewayError {
        GatewayError(status: 403, kind: .permission,
            message: "virtual key '\(key)' may not use model '\(model)'", param: "model", code: "model_not_allowed")
    }

    static func budgetSpent(_ key: String, maxUSD: Double, period: String, spent: Double, retryAfter: Double) -> GatewayError {
        let message = spent >= maxUSD
            ? "virtual key '\(key)' has spent its budget of $\(usd(maxUSD)) per \(period) ($\(usd(spent)) used)"
            : "virtual key '\(key)' has $\(usd(maxUSD - spent)) left of its budget of $\(usd(maxUSD)) per \(period), "
                + "less than this request's worst case (its input and max_tokens at the model's prices)"
        return GatewayError(status: 429, kind: .rateLimit, message: message,
            code: "budget_exceeded", retryAfter: retryAfterSeconds(retryAfter))
    }

    static func budgetHeld(_ key: String, maxUSD: Double, spent: Double) -> GatewayError {
        GatewayError(status: 429, kind: .rateLimit,
            message: "virtual key '\(key)' has the rest of its budget of $\(usd(maxUSD)) reserved by requests in flight ($\(usd(spent)) spent); retry when they finish",
            code: "budget_exceeded", retryAfter: 1)
    }

    static func requestLimit(_ key: String, _ rpm: Int, retryAfter: Double) -> GatewayError {
        GatewayError(status: 429, kind: .rateLimit,
            message: "virtual key '\(key)' is over its rate limit of \(rpm) requests per minute",
            code: "rate_limit_exceeded", retryAfter: retryAfterSeconds(retryAfter))
    }

    static func tokenLimit(_ key: String, _ tpm: Int, retryAfter: Double) -> GatewayError {
        GatewayError(status: 429, kind: .rateLimit,
            message: "virtual key '\(key)' is over its rate limit of \(tpm) tokens per minute",
            code: "rate_limit_exceeded", retryAfter: retryAfterSeconds(retryAfter))
    }

    static func usd(_ v: Double) -> String { String(format: "%.6f", v) }
}
