import NIOHTTP1

/// Where a client may put a virtual key (or, where allowed, its own provider key), in the
/// order they are tried. `x-bf-vk` is the gateway's own header; the others are where each
/// SDK sends its `api_key`, so a virtual key works as any SDK's key. The one reader of
/// presented credentials: governance finds virtual keys with it, ai-proxy direct keys.
public enum PresentedCredentials {
    /// The headers besides `x-bf-vk`; `authorization` carries `Bearer <key>`.
    public static let credentialHeaders = ["authorization", "x-api-key", "x-goog-api-key", "api-key"]
    /// `x-bf-vk` at position 0, then `credentialHeaders` in their order of precedence.
    private static let names = HeaderNameSet(["x-bf-vk"] + credentialHeaders)

    /// What a request presents: `x-bf-vk`, and the credential headers in order of precedence,
    /// each the first non-empty value of its name. One pass over the headers: looking each name
    /// up in turn walked them five times.
    public struct Presented {
        public var virtualKey: Substring?
        public var credentials: [Substring?] = Array(repeating: nil, count: PresentedCredentials.credentialHeaders.count)
    }

    public static func presented(in headers: HTTPHeaders) -> Presented {
        var p = Presented()
        for (name, raw) in headers {
            guard let i = names.index(of: name) else { continue }
            if i == 0 {
                if p.virtualKey == nil { p.virtualKey = value(raw, bearer: false) }
            } else if p.credentials[i - 1] == nil {
                p.credentials[i - 1] = value(raw, bearer: i == 1)
            }
        }
        return p
    }

    /// The credential in a header value, without a `Bearer ` prefix or surrounding spaces; nil
    /// when empty. Works on UTF-8 bytes: Character-wise trimming walks grapheme clusters.
    public static func value(_ raw: String, bearer: Bool) -> Substring? {
        let u = raw.utf8
        var start = u.startIndex
        var end = u.endIndex
        if bearer {
            guard u.count > 7, u.prefix(7).lazy.map({ $0 | 0x20 }).elementsEqual("bearer ".utf8) else { return nil }
            start = u.index(start, offsetBy: 7)
        }
        while start < end, u[start] == 0x20 { start = u.index(after: start) }
        while end > start, u[u.index(before: end)] == 0x20 { end = u.index(before: end) }
        return start == end ? nil : raw[start..<end]
    }
}
