/// One entry of `routes:`: a URI bound to an ordered plugin chain.
public struct RouteConfig: Sendable {
    public var id: String
    /// Exact path, or a prefix when it ends in `/*`.
    public var uri: String
    /// Uppercased; nil = all methods.
    public var methods: [String]?
    /// Lowercased (hosts compare case-insensitively); nil = any host.
    public var host: String?
    public var plugins: [PluginEntry]
    /// The route's mapping.
    public var mark: SourceMark

    public init(
        id: String, uri: String, methods: [String]? = nil, host: String? = nil, plugins: [PluginEntry] = [],
        mark: SourceMark = SourceMark(file: "", line: 1, column: 1)
    ) {
        self.id = id
        self.uri = uri
        self.methods = methods
        self.host = host
        self.plugins = plugins
        self.mark = mark
    }

    /// A trailing `/*` makes the uri a prefix match.
    public var isPrefix: Bool { uri.hasSuffix("/*") }
}

/// `- plugin-name: config` in a route's `plugins` list. The config is validated by the plugin
/// itself when the core builds the route table.
public struct PluginEntry: Sendable {
    public var name: String
    public var config: ConfigNode
    /// The plugin name's key.
    public var mark: SourceMark

    public init(name: String, config: ConfigNode, mark: SourceMark) {
        self.name = name
        self.config = config
        self.mark = mark
    }
}

extension RouteConfig {
    static let keys = ["id", "uri", "methods", "host", "plugins"]
    static let httpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT", "TRACE", "PURGE"]

    static func decodeAll(_ node: ConfigNode?, _ d: inout Diagnostics) -> [RouteConfig] {
        guard let node else { return [] }
        let items = d.read { () throws(ConfigError) in try node.sequence("routes") } ?? []
        var out: [RouteConfig] = []
        var ids: [String: SourceMark] = [:]
        for item in items {
            guard let route = decode(item, &d) else { continue }
            if let first = ids[route.id] {
                let at: SourceMark
                if case .mapping(let pairs) = item.value, let idPair = pairs.first(where: { $0.key == "id" }) { at = idPair.value.mark } else { at = route.mark }
                d.error("duplicate route id '\(route.id)' (first defined at line \(first.line))", at: at)
                continue
            }
            ids[route.id] = route.mark
            out.append(route)
        }
        return out
    }

    static func decode(_ node: ConfigNode, _ d: inout Diagnostics) -> RouteConfig? {
        guard let m = d.mapping(node, "route", allowed: keys) else { return nil }
        let id = d.read { () throws(ConfigError) in try m.requiredString("id") }
        let uri = decodeURI(m, &d)
        let methods = decodeMethods(m, &d)
        let host = d.read { () throws(ConfigError) in try m.string("host") }?.lowercased()
        let plugins = decodePlugins(m, routeID: id ?? "?", &d)
        if let id, id.isEmpty { d.error("route id must not be empty", at: m["id"]?.mark ?? m.mark) }
        guard let id, !id.isEmpty, let uri else { return nil }
        return RouteConfig(id: id, uri: uri, methods: methods, host: host.flatMap { $0.isEmpty ? nil : $0 }, plugins: plugins, mark: m.mark)
    }

    private static func decodeURI(_ m: ConfigMapping, _ d: inout Diagnostics) -> String? {
        guard let uri = d.read({ () throws(ConfigError) in try m.requiredString("uri") }) else { return nil }
        let at = m["uri"]?.mark ?? m.mark
        guard uri.hasPrefix("/") else {
            d.error("uri must start with '/', got '\(uri)'", at: at)
            return nil
        }
        if uri.contains("?") || uri.contains("#") {
            d.error("uri must be a path without a query or fragment, got '\(uri)'", at: at)
            return nil
        }
        if let star = uri.firstIndex(of: "*"), !(uri.hasSuffix("/*") && star == uri.index(before: uri.endIndex)) {
            d.error("'*' is only allowed as a trailing '/*' (prefix match), got '\(uri)'", at: at)
            return nil
        }
        return uri
    }

    private static func decodeMethods(_ m: ConfigMapping, _ d: inout Diagnostics) -> [String]? {
        guard let node = m.present("methods"), let list = d.read({ () throws(ConfigError) in try node.stringList() }) else { return nil }
        if list.isEmpty {
            d.error("methods must not be empty (leave it out to allow every method)", at: node.mark)
            return nil
        }
        var methods: [String] = []
        for method in list.map({ $0.uppercased() }) {
            guard httpMethods.contains(method) else {
                d.error("unknown HTTP method '\(method)' (allowed: \(httpMethods.joined(separator: ", ")))", at: node.mark)
                continue
            }
            if !methods.contains(method) { methods.append(method) }
        }
        return methods
    }

    /// `plugins:` is a list of single-key mappings, `- name: config`, as in APISIX but ordered.
    private static func decodePlugins(_ m: ConfigMapping, routeID: String, _ d: inout Diagnostics) -> [PluginEntry] {
        var out: [PluginEntry] = []
        for item in d.sequence(m, "plugins") {
            guard case .mapping(let pairs) = item.value, pairs.count == 1, let pair = pairs.first else {
                d.error("each plugins item must be a mapping with one key, the plugin name (e.g. '- ai-proxy: {provider: openai}'), got \(pluginShape(item))", at: item.mark)
                continue
            }
            if let first = out.first(where: { $0.name == pair.key }) {
                d.error("plugin '\(pair.key)' appears twice in route '\(routeID)' (first at line \(first.mark.line))", at: pair.keyMark)
                continue
            }
            out.append(PluginEntry(name: pair.key, config: pair.value, mark: pair.keyMark))
        }
        return out
    }

    private static func pluginShape(_ node: ConfigNode) -> String {
        if case .mapping(let pairs) = node.value { return "a mapping with \(pairs.count) keys" }
        return node.kind
    }
}
