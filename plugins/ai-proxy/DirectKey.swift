import TollgateCore

/// A client's own provider key, for routes with `allow_direct_keys: true`. Governance, when
/// the route has it, has already put it in `ctx.directKey`; without governance ai-proxy reads
/// it here. A configured virtual key is never a direct key: it must not reach a provider.
enum DirectKey {
    static let headers = ["authorization", "x-api-key", "x-goog-api-key", "api-key"]

    static func find(_ ctx: RequestContext) -> String? {
        if let k = ctx.directKey { return k }
        for name in headers {
            guard let raw = ctx.header(name) else { continue }
            var v = Substring(raw)
            if name == "authorization" {
                guard v.count > 7, v.prefix(7).lowercased() == "bearer " else { continue }
                v = v.dropFirst(7)
            }
            let key = v.trimmingPrefixAndSuffixSpaces()
            guard !key.isEmpty, !isVirtualKey(key, ctx) else { continue }
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

extension Substring {
    fileprivate func trimmingPrefixAndSuffixSpaces() -> Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
