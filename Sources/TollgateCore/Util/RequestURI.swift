/// A request target split at its first `?`, without allocating: the router, the context and
/// the admin listener all need the path apart from the query.
enum RequestURI {
    static func split(_ uri: String) -> (path: Substring, query: Substring?) {
        guard let q = uri.firstIndex(of: "?") else { return (uri[...], nil) }
        return (uri[..<q], uri[uri.index(after: q)...])
    }
}
