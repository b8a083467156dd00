/// Collects errors and warnings while the sections of a config are decoded, so that one bad
/// value does not hide the next: each check records its error and decoding goes on with a default.
public struct Diagnostics {
    public var errors: [ConfigError] = []
    public var warnings: [ConfigDiagnostic] = []

    public init(errors: [ConfigError] = [], warnings: [ConfigDiagnostic] = []) {
        self.errors = errors
        self.warnings = warnings
    }

    public mutating func error(_ message: String, at mark: SourceMark) {
        errors.append(ConfigError(message, at: mark))
    }

    public mutating func warn(_ message: String, at mark: SourceMark) {
        warnings.append(ConfigDiagnostic(mark: mark, message: message))
    }

    /// Runs one typed read; on error records it and gives nil.
    public mutating func read<T>(_ body: () throws(ConfigError) -> T?) -> T? {
        do {
            return try body()
        } catch {
            errors.append(error)
            return nil
        }
    }

    /// The node as a mapping with every unknown key recorded, or nil (recorded) if it is not one.
    public mutating func mapping(_ node: ConfigNode, _ context: String, allowed: [String]) -> ConfigMapping? {
        do {
            return try node.mapping(context, allowed: allowed, collecting: &errors)
        } catch {
            errors.append(error)
            return nil
        }
    }

    /// `key` of `m` as a mapping (unknown keys recorded); nil when absent, empty or not a mapping.
    public mutating func mapping(_ m: ConfigMapping, _ key: String, _ context: String, allowed: [String]) -> ConfigMapping? {
        guard let node = m.present(key) else { return nil }
        return mapping(node, context, allowed: allowed)
    }

    /// The items of `key` of `m` as a list; [] when absent, recorded error when not a list.
    public mutating func sequence(_ m: ConfigMapping, _ key: String) -> [ConfigNode] {
        guard let node = m.present(key) else { return [] }
        return read { () throws(ConfigError) in try node.sequence(key) } ?? []
    }
}

extension Diagnostics {
    /// A mapping whose keys are names the user chooses (providers, pricing, deployments), so no
    /// key is unknown; nil (recorded) if the node is not a mapping.
    public mutating func openMapping(_ node: ConfigNode, _ context: String) -> ConfigMapping? {
        switch node.value {
        case .null: return ConfigMapping(mark: node.mark, entries: [])
        case .mapping(let pairs): return ConfigMapping(mark: node.mark, entries: pairs)
        case .scalar, .sequence:
            error("expected a mapping for \(context), got \(node.kind)", at: node.mark)
            return nil
        }
    }
}
