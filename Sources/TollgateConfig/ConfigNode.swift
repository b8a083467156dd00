import TollgateJSON

/// A YAML node after `${VAR}` interpolation, with its mark, for plugins to decode their own config
/// at load time. Scalars keep their text: a reader decides the type, so `port: "8080"` and
/// `port: ${PORT:-8080}` both read as an int, and `api_version: 2024-10-21` stays a string
/// (YAML would make it a date).
public struct ConfigNode: Sendable {
    public var mark: SourceMark
    public var value: Value
    /// The scalar was quoted (or a `|`/`>` block) in the file. Only `json()` looks at it: a quoted
    /// `"8080"` is the string "8080" there, as in YAML; the typed readers ignore quoting.
    public var quoted: Bool

    public enum Value: Sendable {
        case null
        case scalar(String)
        case sequence([ConfigNode])
        case mapping([(key: String, keyMark: SourceMark, value: ConfigNode)])
    }

    public init(mark: SourceMark, value: Value, quoted: Bool = false) {
        self.mark = mark
        self.value = value
        self.quoted = quoted
    }

    /// Parses a YAML fragment into a node, with interpolation; meant for plugin tests
    /// (`try ConfigNode.parse(yaml: "{provider: openai}")`). An empty document is `.null`.
    public static func parse(
        yaml: String, file: String = "<yaml>", environment: [String: String] = [:]
    ) throws(ConfigErrors) -> ConfigNode {
        var builder = NodeBuilder(file: file, environment: environment)
        let node = try builder.build(yaml: yaml)
        if !builder.errors.isEmpty { throw ConfigErrors(builder.errors.sorted { $0.mark < $1.mark }) }
        return node ?? ConfigNode(mark: SourceMark(file: file, line: 1, column: 1), value: .null)
    }

    // MARK: Typed readers

    /// Any scalar's text (numbers and booleans included, as written).
    public func string() throws(ConfigError) -> String {
        if case .scalar(let s) = value { return s }
        throw error("expected a string, got \(kind)")
    }

    public func int() throws(ConfigError) -> Int {
        if case .scalar(let s) = value, let i = ScalarTyping.int(s) { return i }
        throw error("expected an integer, got \(kind)")
    }

    public func double() throws(ConfigError) -> Double {
        if case .scalar(let s) = value, let d = ScalarTyping.double(s) { return d }
        throw error("expected a number, got \(kind)")
    }

    public func bool() throws(ConfigError) -> Bool {
        if case .scalar(let s) = value, let b = ScalarTyping.bool(s) { return b }
        throw error("expected true or false, got \(kind)")
    }

    /// A list of strings; a single scalar is read as a list of one (`allow: anthropic-beta`).
    public func stringList() throws(ConfigError) -> [String] {
        switch value {
        case .scalar(let s): return [s]
        case .sequence(let items):
            var out: [String] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try item.string()) }
            return out
        case .null, .mapping: throw error("expected a list of strings, got \(kind)")
        }
    }

    /// The node as JSON, scalars typed as YAML would (int, float, bool, null, string); quoted
    /// scalars and YAML dates stay strings.
    public func json() throws(ConfigError) -> JSON {
        switch value {
        case .null: return .null
        case .scalar(let s): return quoted ? .string(s) : ScalarTyping.json(s)
        case .sequence(let items):
            var out: [JSON] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try item.json()) }
            return .array(out)
        case .mapping(let pairs):
            var object = JSONObject()
            for pair in pairs { object.append(pair.key, try pair.value.json()) }
            return .object(object)
        }
    }

    /// A mapping whose keys must be among `allowed`; the first unknown key is an error at the
    /// key's mark. An empty value (`telemetry:`) reads as an empty mapping.
    public func mapping(_ context: String, allowed: [String]) throws(ConfigError) -> ConfigMapping {
        var unknown: [ConfigError] = []
        let m = try mapping(context, allowed: allowed, collecting: &unknown)
        if let first = unknown.first { throw first }
        return m
    }

    /// Like `mapping(_:allowed:)` but reports every unknown key into `errors` and still returns
    /// the mapping, so the caller can go on validating the known keys. Throws only when the node
    /// is not a mapping at all.
    public func mapping(
        _ context: String, allowed: [String], collecting errors: inout [ConfigError]
    ) throws(ConfigError) -> ConfigMapping {
        switch value {
        case .null: return ConfigMapping(mark: mark, entries: [])
        case .mapping(let pairs):
            for pair in pairs where !allowed.contains(pair.key) {
                errors.append(ConfigError(
                    "unknown key '\(pair.key)' in \(context) (allowed: \(allowed.joined(separator: ", ")))",
                    at: pair.keyMark))
            }
            return ConfigMapping(mark: mark, entries: pairs)
        case .scalar, .sequence:
            throw error("expected a mapping for \(context), got \(kind)")
        }
    }

    /// The items of a list; a non-list is an error naming `context`. Empty value is an empty list.
    public func sequence(_ context: String) throws(ConfigError) -> [ConfigNode] {
        switch value {
        case .sequence(let items): return items
        case .null: return []
        case .scalar, .mapping: throw error("expected a list for \(context), got \(kind)")
        }
    }

    public var isNull: Bool { if case .null = value { return true }; return false }

    /// An error at this node's mark.
    public func error(_ message: String) -> ConfigError { ConfigError(message, at: mark) }

    /// What the node is, for "expected X, got Y" messages.
    var kind: String {
        switch value {
        case .null: return "nothing"
        case .scalar(let s): return "\"\(s)\""
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}
