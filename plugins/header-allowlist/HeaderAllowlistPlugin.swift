import NIOHTTP1
import TollgateConfig
import TollgateCore

/// header-allowlist: copies the client headers a route allows into what goes upstream. Nothing
/// from the client is forwarded without it (the core sends only what `forwardHeaders` holds).
/// `x-bf-eh-NAME: v` forwards `NAME: v` when NAME is allowed (Bifrost's extra-header
/// convention). Some headers never go, whatever the list says: see `HeaderRules`.
struct HeaderAllowlistPlugin: RewritePhase {
    let config: HeaderAllowlistConfig


    static let extraHeaderPrefix = "x-bf-eh-"

    func rewrite(_ ctx: RequestContext) -> PhaseResult {
        let headers = ctx.head.headers
        // Headers the client's `Connection` names are hop-by-hop for this request too.
        let connectionTokens = HeaderRules.connectionTokens(headers)
        for (name, value) in headers {
            // Most of a request's headers (host, content-length, credentials…) never go: rule
            // them out before lowercasing and matching globs.
            if HeaderRules.never.contains(name) { continue }
            var n = name.lowercased()
            if n.hasPrefix(Self.extraHeaderPrefix) {
                n.removeFirst(Self.extraHeaderPrefix.count)
            } else if n.hasPrefix("x-bf-") {
                continue  // the gateway's own controls (x-bf-vk, x-bf-async…)
            }
            guard !n.isEmpty, config.allows(n), !HeaderRules.neverForwarded(n), !connectionTokens.contains(n) else { continue }
            ctx.forwardHeaders.add(name: n, value: value)
        }
        return .next
    }
}

/// What a client may never send to a provider through the gateway.
enum HeaderRules {
    /// Matched case-insensitively, so a client's spelling needs no lowercasing first.
    static let never = HeaderNameSet([
        // hop-by-hop (RFC 9110 7.6.1) and framing: they describe the client's connection
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
        "host", "content-length", "expect",
        // the gateway reads the answer (usage, translation): it must arrive uncompressed
        "accept-encoding", "content-encoding",
        // credentials: the client's (or its virtual key) must never reach a provider this way;
        // direct keys go through ai-proxy's `allow_direct_keys`, which places them itself
        "authorization", "proxy-authorization", "x-api-key", "x-goog-api-key", "api-key", "cookie", "x-bf-vk",
    ])

    static func neverForwarded(_ lowercasedName: String) -> Bool {
        never.contains(lowercasedName) || lowercasedName.hasPrefix("x-bf-")
    }

    static func connectionTokens(_ headers: HTTPHeaders) -> Set<String> {
        guard headers.contains(name: "connection") else { return [] }
        var out: Set<String> = []
        for v in headers[canonicalForm: "connection"] {
            out.insert(v.lowercased())  // canonicalForm already split on commas and trimmed
        }
        return out
    }
}

struct HeaderAllowlistFactory: PluginFactory {
    var name: String { "header-allowlist" }

    func make(_ node: ConfigNode, _ context: PluginBuildContext) throws(ConfigError) -> any Plugin {
        HeaderAllowlistPlugin(config: try HeaderAllowlistConfig(node))
    }
}
