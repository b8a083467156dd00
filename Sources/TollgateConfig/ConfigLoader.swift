import Foundation

/// routes.yaml → `GatewayConfig`. Validation is whole-file and collects every error it can, so
/// `tollgate check` lists them all at once; plugin configs are left to the plugins (the core
/// validates them when it builds the route table).
public enum ConfigLoader {
    /// Nodes a config may expand to, aliases expanded: far above any real config (the shipped
    /// one has a few hundred), far below what an alias bomb stands for.
    public static let defaultMaxYAMLNodes = 100_000

    static let topLevelKeys = ["server", "admin", "store", "providers", "pricing", "model_groups", "health", "routes"]

    /// Reads, interpolates `${VAR}`, validates the whole file. Relative paths in it (store, TLS)
    /// are resolved against the file's directory. `sections`: the top-level keys plugins own
    /// (`ConfigSection`), decoded here with the rest.
    public static func load(
        file path: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        maxYAMLNodes: Int = ConfigLoader.defaultMaxYAMLNodes, sections: [any ConfigSection.Type] = []
    ) throws(ConfigErrors) -> GatewayConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read config file (not UTF-8 text?)" : "config file not found"
            throw ConfigErrors([ConfigError(reason, at: .file(path))])
        }
        var directory = Paths.directory(of: path)
        if !directory.hasPrefix("/") {
            directory = Paths.resolve(directory == "." ? "" : directory, against: FileManager.default.currentDirectoryPath)
            if directory.hasSuffix("/") && directory.count > 1 { directory.removeLast() }
        }
        return try parse(
            yaml: text, file: path, baseDirectory: directory, environment: environment, maxYAMLNodes: maxYAMLNodes,
            sections: sections)
    }

    /// Parses config text. `file` is used in marks; `baseDirectory` resolves relative paths.
    public static func parse(
        yaml: String, file: String, baseDirectory: String, environment: [String: String],
        maxYAMLNodes: Int = ConfigLoader.defaultMaxYAMLNodes, sections: [any ConfigSection.Type] = []
    ) throws(ConfigErrors) -> GatewayConfig {
        var builder = NodeBuilder(file: file, environment: environment, maxNodes: maxYAMLNodes)
        let root = try builder.build(yaml: yaml)
        var d = Diagnostics(errors: builder.errors, warnings: builder.warnings)
        let start = SourceMark(file: file, line: 1, column: 1)

        let allowed = topLevelKeys + sections.map { $0.key }
        var top = ConfigMapping(mark: start, entries: [])
        if let root {
            // Top-level keys starting with "x-" are ignored: a place to keep YAML anchors.
            if case .mapping(let pairs) = root.value {
                let kept = pairs.filter { !$0.key.hasPrefix("x-") }
                top = d.mapping(ConfigNode(mark: root.mark, value: .mapping(kept)), "the top level", allowed: allowed) ?? top
            } else if !root.isNull {
                d.error("expected a mapping with keys \(allowed.joined(separator: ", ")) at the top level, got \(root.kind)", at: root.mark)
            }
        }

        var config = GatewayConfig(file: file)
        config.server = ServerConfig.decode(top["server"], baseDirectory: baseDirectory, &d)
        if top["server"] == nil { config.server.mark = start }
        config.admin = AdminConfig.decode(top["admin"], &d)
        config.store = StoreLocation.decode(top["store"], baseDirectory: baseDirectory, &d)
        config.providers = ProviderConfig.decodeAll(top["providers"], &d)
        config.routing = RoutingConfig.decode(
            groups: top["model_groups"], health: top["health"],
            providers: Set(ProviderConfig.builtInNames + config.providers.map(\.name)), &d)
        for s in sections { config.sections[s.key] = s.init(decoding: top[s.key], &d) }
        config.pricing = Price.decodeAll(top["pricing"], &d)
        config.routes = RouteConfig.decodeAll(top["routes"], &d)

        if config.routes.isEmpty, d.errors.isEmpty {
            d.warn("no routes: every request will get 404", at: top.keyMark("routes") ?? start)
        }
        guard d.errors.isEmpty else {
            throw ConfigErrors(d.errors.enumerated().sorted { a, b in
                a.element.mark == b.element.mark ? a.offset < b.offset : a.element.mark < b.element.mark
            }.map(\.element))
        }
        config.warnings = d.warnings
        return config
    }
}
