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
        // Prefix candidates met on the way down: the deepest is kept apart, so the usual walk
        // (one prefix route on the way) allocates nothing. Segments are found on UTF-8 bytes:
        // Character-wise searching breaks graphemes on every byte.
        var deepest: Node?
        var shallower: [Node] = []
        func hit(_ n: Node) {
            if let d = deepest { shallower.append(d) }
            deepest = n
        }
        var node = root
        let slash = UInt8(ascii: "/")
        var rest = path
        while rest.utf8.first == slash { rest = rest[rest.utf8.index(after: rest.utf8.startIndex)...] }
        while !rest.isEmpty {
            if !node.prefix.isEmpty { hit(node) }
            let seg: Substring
            if let i = rest.utf8.firstIndex(of: slash) {
                seg = rest[..<i]
                rest = rest[rest.utf8.index(after: i)...]
            } else {
                seg = rest
                rest = rest[rest.endIndex...]
            }
            guard let next = node.children[seg] else {
                return Router.pick(deepest, shallower, method: method, host: host)
            }
            node = next
        }
        // Reached the node for the whole path. `/a/` (trailing slash) also counts as below `/a/*`.
        if path.utf8.last == slash, !node.prefix.isEmpty { hit(node) }
        if let r = node.exact.first(where: { $0.accepts(method: method, host: host) }) { return r }
        return Router.pick(deepest, shallower, method: method, host: host)
    }

    private static func pick(_ deepest: Node?, _ shallower: [Node], method: HTTPMethod, host: String?) -> Route? {
        if let r = deepest?.prefix.first(where: { $0.accepts(method: method, host: host) }) { return r }
        for n in shallower.reversed() {
            if let r = n.prefix.first(where: { $0.accepts(method: method, host: host) }) { return r }
        }
        return nil
    }
}
