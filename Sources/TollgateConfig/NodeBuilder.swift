import Yams

/// Turns YAML text into a `ConfigNode` tree: Yams composes the nodes with their marks, then each
/// scalar value is interpolated. Interpolation problems are collected, not thrown, so one run
/// reports every `${VAR:?}` that is missing; a YAML syntax error stops everything (there is no
/// tree to go on with) and is thrown.
struct NodeBuilder {
    let file: String
    let interpolation: EnvInterpolation
    private(set) var errors: [ConfigError] = []
    private(set) var warnings: [ConfigDiagnostic] = []
    private var warnedVariables: Set<String> = []
    /// Aliases are expanded where they are used, so a small file can stand for an exponential
    /// tree ("billion laughs"): walking it would never end. Past this many nodes the load stops.
    let maxNodes: Int
    private var nodes = 0
    private var overLimit: ConfigError?

    init(file: String, environment: [String: String], maxNodes: Int = ConfigLoader.defaultMaxYAMLNodes) {
        self.file = file
        self.interpolation = EnvInterpolation(environment: environment)
        self.maxNodes = maxNodes
    }

    /// The document's root, or nil for an empty document (only comments, or nothing).
    mutating func build(yaml: String) throws(ConfigErrors) -> ConfigNode? {
        let root: Node?
        do {
            // Encoding is given so Yams does not read (and print about) YAMS_DEFAULT_ENCODING.
            root = try Yams.compose(yaml: ReferenceShield.shield(yaml), .default, .default, .utf8)
        } catch {
            throw ConfigErrors([YamlErrorMapping.configError(error, file: file)])
        }
        guard let root else { return nil }
        let tree = convert(root)
        // Nothing built past the limit is worth checking: one error, not thousands.
        if let overLimit { throw ConfigErrors([overLimit]) }
        return tree
    }

    private func mark(_ m: Mark?) -> SourceMark {
        SourceMark(file: file, line: m?.line ?? 1, column: m?.column ?? 1)
    }

    private mutating func convert(_ node: Node) -> ConfigNode {
        nodes += 1
        guard nodes <= maxNodes else {
            if overLimit == nil {
                overLimit = ConfigError(
                    "the YAML expands to more than \(maxNodes) nodes (aliases are expanded where used); "
                        + "raise the limit with --max-yaml-nodes if this is intended", at: mark(node.mark))
            }
            return ConfigNode(mark: mark(node.mark), value: .null)
        }
        switch node {
        case .scalar(let scalar):
            return convert(scalar)
        case .sequence(let sequence):
            return ConfigNode(mark: mark(sequence.mark), value: .sequence(sequence.map { convert($0) }))
        case .mapping(let mapping):
            return ConfigNode(mark: mark(mapping.mark), value: .mapping(convertPairs(mapping)))
        case .alias(let alias):
            // Yams resolves aliases while composing; this is here for completeness.
            errors.append(ConfigError("unresolved alias '*\(alias.anchor.rawValue)'", at: mark(alias.mark)))
            return ConfigNode(mark: mark(alias.mark), value: .null)
        }
    }

    private mutating func convert(_ scalar: Node.Scalar) -> ConfigNode {
        let at = mark(scalar.mark)
        let quoted = (scalar.style != .plain && scalar.style != .any) || scalar.tag.rawValue == Tag.Name.str.rawValue
        if !quoted, scalar.tag.rawValue != Tag.Name.str.rawValue, Resolver.default.resolveTag(of: .scalar(scalar)) == .null {
            return ConfigNode(mark: at, value: .null)
        }
        switch interpolation.interpolate(ReferenceShield.unshield(scalar.string)) {
        case .success(let (text, unset)):
            for name in unset where !warnedVariables.contains(name) {
                warnedVariables.insert(name)
                warnings.append(ConfigDiagnostic(
                    mark: at, message: "environment variable \(name) is not set; using an empty string"))
            }
            return ConfigNode(mark: at, value: .scalar(text), quoted: quoted)
        case .failure(.required(let variable, let message)):
            errors.append(ConfigError("\(variable): \(message)", at: at))
        case .failure(.malformed(let message)):
            errors.append(ConfigError(message, at: at))
        }
        // The load fails anyway; keeping the text as written spares follow-on errors such as
        // "empty key" for the same scalar.
        return ConfigNode(mark: at, value: .scalar(ReferenceShield.unshield(scalar.string)), quoted: quoted)
    }

    /// Mapping pairs in file order. Keys are taken literally (never interpolated). YAML merge
    /// keys (`<<: *defaults`) are applied here, explicit keys winning over merged ones, so an
    /// anchor can hold settings shared by several routes.
    private mutating func convertPairs(_ mapping: Node.Mapping) -> [(key: String, keyMark: SourceMark, value: ConfigNode)] {
        var pairs: [(key: String, keyMark: SourceMark, value: ConfigNode)] = []
        var merged: [(key: String, keyMark: SourceMark, value: ConfigNode)] = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let key) = keyNode else {
                errors.append(ConfigError("a mapping key must be a plain string", at: mark(keyNode.mark)))
                continue
            }
            if key.string == "<<", key.style == .plain {
                merged += mergeSources(valueNode, at: mark(key.mark))
                continue
            }
            pairs.append((key: ReferenceShield.unshield(key.string), keyMark: mark(key.mark), value: convert(valueNode)))
        }
        for pair in merged where !pairs.contains(where: { $0.key == pair.key }) {
            pairs.append(pair)
        }
        return pairs
    }

    private mutating func mergeSources(_ node: Node, at keyMark: SourceMark) -> [(key: String, keyMark: SourceMark, value: ConfigNode)] {
        let sources: [Node]
        switch node {
        case .mapping: sources = [node]
        case .sequence(let s): sources = Array(s)
        default: sources = []
        }
        var out: [(key: String, keyMark: SourceMark, value: ConfigNode)] = []
        for source in sources {
            guard case .mapping(let m) = source else {
                errors.append(ConfigError("'<<' (merge) needs a mapping or a list of mappings", at: keyMark))
                continue
            }
            // Earlier sources win over later ones, as the YAML merge spec says.
            for pair in convertPairs(m) where !out.contains(where: { $0.key == pair.key }) {
                out.append(pair)
            }
        }
        if sources.isEmpty {
            errors.append(ConfigError("'<<' (merge) needs a mapping or a list of mappings", at: keyMark))
        }
        return out
    }
}
