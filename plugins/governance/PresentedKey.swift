import NIOHTTP1

/// Where a client may put a virtual key (or, where allowed, its own provider key), in the
/// order they are tried. `x-bf-vk` is the gateway's own header; the others are where each
/// SDK sends its `api_key`, so a virtual key works as any SDK's key.
enum PresentedKey {
    /// The headers besides `x-bf-vk`; `authorization` carries `Bearer <key>`.
    static let credentialHeaders = ["authorization", "x-api-key", "x-goog-api-key", "api-key"]

    /// The credential in `name`, without a `Bearer ` prefix; nil when absent or empty.
    static func value(of name: String, in headers: HTTPHeaders) -> Substring? {
        guard let raw = headers.first(name: name) else { return nil }
        var v = Substring(raw)
        if name == "authorization" {
            guard v.count > 7, v.prefix(7).lowercased() == "bearer " else { return nil }
            v = v.dropFirst(7)
        }
        while v.first == " " { v.removeFirst() }
        while v.last == " " { v.removeLast() }
        return v.isEmpty ? nil : v
    }
}
