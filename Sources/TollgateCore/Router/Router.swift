import NIOHTTP1

/// Maps a request path to its route. Built once per config load as a trie of path segments,
/// so matching costs one step per segment, whatever the number of routes.
///
/// Rules (APISIX's): `uri: /a/b` matches exactly `/a/b`; `uri: /a/*` matches every path below
/// `/a/` (not `/a` itself). The longest match wins: an exact match beats any prefix, a deeper
/// prefix beats a shallower one. Several routes on one URI are tried in file order, and the
/// first whose `methods` and `host` accept the request wins.
public struct Router: Sendable {
    final class Node: Sendable {
        let children: [Substring: Node]
        let exact: [Route]
        let prefix: [Route]
        init(children: [Substring: Node], exact: [Route], prefix: [Route]) {
            self.children = children
            self.exact = exact
            self.prefix = prefix
        }
    }

    /// A mutable node used while building, frozen into `Node` afterwards.
    private final class Builder {
        var children: [Substring: Builder] = [:]
        var exact: [Route] = []
        var prefix: [Route] = []
        func freeze() -> Node {
            Node(children: children.mapValues { $0.freeze() }, exact: exact, prefix: prefix)
        }
    }

    let root: Node
    public let routes: [Route]
    /// Exact URIs by full path: most requests hit one, with a single hash instead of a walk.
    let exact: [Substring: [Route]]

    public init(routes: [Route]) {
        let b = Builder()
        for r in routes {
            var uri = Substring(r.uri)
            let isPrefix = uri.hasSuffix("/*")
            if isPrefix { uri = uri.dropLast(2) }
            var node = b
            for seg in uri.split(separator: "/", omittingEmptySubsequences: true) {
                if let next = node.children[seg] {
                    node = next
                } else {
                    let next = Builder()
                    node.children[seg] = next
                    node = next
                }
            }
            if isPrefix { node.prefix.append(r) } else { node.exact.append(r) }
        }
        root = b.freeze()
        self.routes = routes
        var ex: [Substring: [Route]] = [:]
        for r in routes where !r.uri.hasSuffix("/*") { ex[Substring(r.uri), default: []].append(r) }
        exact = ex
    }

    public func match(path: Substring, method: HTTPMethod, host: String?) -> Route? {
        if let candidates = exact[path], let r = candidates.first(where: { $0.accepts(method: method, host: host) }) {
            return r
        }
        var node = root
        // Candidates from shallow to deep; the deepest that accepts the request wins.
        var prefixHits: [Node] = []
        var rest = path.drop(while: { $0 == "/" })
        while !rest.isEmpty {
            if !node.prefix.isEmpty { prefixHits.append(node) }
            let seg: Substring
            if let slash = rest.firstIndex(of: "/") {
                seg = rest[..<slash]
                rest = rest[rest.index(after: slash)...]
            } else {
                seg = rest
                rest = rest[rest.endIndex...]
            }
            guard let next = node.children[seg] else {
                return Router.pick(prefixHits, method: method, host: host)
            }
            node = next
        }
        // Reached the node for the whole path. `/a/` (trailing slash) also counts as below `/a/*`.
        if path.hasSuffix("/"), !node.prefix.isEmpty { prefixHits.append(node) }
        if let r = node.exact.first(where: { $0.accepts(method: method, host: host) }) { return r }
        return Router.pick(prefixHits, method: method, host: host)
    }

    private static func pick(_ hits: [Node], method: HTTPMethod, host: String?) -> Route? {
        for n in hits.reversed() {
            if let r = n.prefix.first(where: { $0.accepts(method: method, host: host) }) { return r }
        }
        return nil
    }
}
