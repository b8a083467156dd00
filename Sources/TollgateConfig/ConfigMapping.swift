/// A validated YAML mapping with typed lookups. Optional readers treat a key written with no value
/// (`token:`) like an absent key; a value of the wrong type is an error at the value's mark.
public struct ConfigMapping: Sendable {
    public var mark: SourceMark
    /// Keys in file order, with their marks.
    public var entries: [(key: String, keyMark: SourceMark, value: ConfigNode)]

    public init(mark: SourceMark, entries: [(key: String, keyMark: SourceMark, value: ConfigNode)]) {
        self.mark = mark
        self.entries = entries
    }

    public var keys: [String] { entries.map(\.key) }

    public subscript(key: String) -> ConfigNode? {
        for entry in entries where entry.key == key { return entry.value }
        return nil
    }

    /// The mark of `key` itself, for errors about the entry as a whole.
    public func keyMark(_ key: String) -> SourceMark? {
        for entry in entries where entry.key == key { return entry.keyMark }
        return nil
    }

    /// The value of `key` unless it is absent or written empty.
    public func present(_ key: String) -> ConfigNode? {
        guard let node = self[key], !node.isNull else { return nil }
        return node
    }

    public func string(_ key: String) throws(ConfigError) -> String? {
        try present(key)?.string()
    }

    public func requiredString(_ key: String) throws(ConfigError) -> String {
        guard let node = self[key] else { throw ConfigError("missing required key '\(key)'", at: mark) }
        return try node.string()
    }

    public func requiredInt(_ key: String) throws(ConfigError) -> Int {
        guard let node = self[key] else { throw ConfigError("missing required key '\(key)'", at: mark) }
        return try node.int()
    }

    public func requiredDouble(_ key: String) throws(ConfigError) -> Double {
        guard let node = self[key] else { throw ConfigError("missing required key '\(key)'", at: mark) }
        return try node.double()
    }

    public func int(_ key: String) throws(ConfigError) -> Int? {
        try present(key)?.int()
    }

    public func double(_ key: String) throws(ConfigError) -> Double? {
        try present(key)?.double()
    }

    public func bool(_ key: String) throws(ConfigError) -> Bool? {
        try present(key)?.bool()
    }

    public func stringList(_ key: String) throws(ConfigError) -> [String]? {
        try present(key)?.stringList()
    }

    public func mapping(_ key: String, _ context: String, allowed: [String]) throws(ConfigError) -> ConfigMapping? {
        try present(key)?.mapping(context, allowed: allowed)
    }
}
