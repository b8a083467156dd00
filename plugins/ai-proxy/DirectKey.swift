import TollgateCore

/// A client's own provider key, for routes with `allow_direct_keys: true`. SDKs send their own
/// key header beside the one a user adds (anthropic ≥ 2.14 sends `Authorization: Bearer` with
/// its dummy key next to a user's `x-api-key`), so the header native to the target provider
/// wins, then the others in `PresentedCredentials` order. A configured virtual key is never a
/// direct key: it must not reach a provider.
enum DirectKey {
    static func find(_ ctx: RequestContext, nativeTo provider: Provider) -> String? {
        let presented = PresentedCredentials.presented(in: ctx.head.headers)
        if let i = PresentedCredentials.credentialHeaders.firstIndex(of: provider.kind.adapter.keyHeader),
           let key = presented.credentials[i], !ctx.runtime.isClientCredential(key) {
            return String(key)
        }
        for case let key? in presented.credentials where !ctx.runtime.isClientCredential(key) {
            return String(key)
        }
        return nil
    }
}
