import NIOHTTP1

/// The headers of spec section 9, and which of a client's headers a stored job keeps.
enum AsyncHeaders {
    static let submit = "x-bf-async"
    static let poll = "x-bf-async-id"
    static let ttl = "x-bf-async-job-result-ttl"
    /// Set by the worker on the internal request that runs a job: the submitter's virtual key
    /// name. Trusted only on internal requests (`ctx.isInternal`), which no client can make.
    static let owner = "x-tollgate-async-owner"

    /// Never stored: credentials (a job must not keep a secret at rest; it was authorized when
    /// submitted), connection-level headers, and the async headers themselves.
    private static let dropped: Set<String> = [
        "authorization", "proxy-authorization", "x-api-key", "x-goog-api-key", "api-key", "x-bf-vk", "cookie",
        "host", "content-length", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
        "expect", submit, poll, ttl, owner,
    ]

    /// Words that make a header name a credential whatever its prefix: `x-bf-eh-authorization`
    /// (an extra header for the provider), `x-session-token`, `x-api-secret`.
    private static let credentialWords = ["auth", "key", "token", "secret", "cookie", "password", "session", "credential", "signature"]

    /// The client's headers a job replays with, as `[name, value]` pairs for the store.
    static func storable(_ headers: HTTPHeaders) -> [[String]] {
        headers.compactMap { h in
            let name = h.name.lowercased()
            if dropped.contains(name) || name.hasPrefix("x-tollgate-") || isCredentialLike(name) { return nil }
            return [name, h.value]
        }
    }

    static func isCredentialLike(_ name: String) -> Bool {
        credentialWords.contains { name.contains($0) }
    }

    static func isTrue(_ value: String?) -> Bool {
        guard let v = value?.lowercased() else { return false }
        return v == "true" || v == "1" || v == "yes"
    }
}
