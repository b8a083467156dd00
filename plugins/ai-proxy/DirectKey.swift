import TollgateCore

/// A client's own provider key, for routes with `allow_direct_keys: true`. Governance, when
/// the route has it, has already put it in `ctx.directKey`; without governance ai-proxy reads
/// it here. A configured virtual key is never a direct key: it must not reach a provider.
enum DirectKey {
    static func find(_ ctx: RequestContext) -> String? {
        if let k = ctx.directKey { return k }
        let presented = PresentedCredentials.presented(in: ctx.head.headers)
        for case let key? in presented.credentials where !isVirtualKey(key, ctx) {
            return String(key)
        }
        return nil
    }

    private static func isVirtualKey(_ key: Substring, _ ctx: RequestContext) -> Bool {
        var hit = false
        let k = String(key)
        // Every key is compared (constant time each), so timing says nothing about which.
        for vk in ctx.runtime.config.virtualKeys where constantTimeEqual(k, vk.key) { hit = true }
        return hit
    }
}
