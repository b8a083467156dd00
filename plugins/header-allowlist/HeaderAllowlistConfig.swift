import TollgateConfig
import TollgateCore

/// header-allowlist's schema: `{allow: [names]}`, names case-insensitive, `prefix-*` patterns.
struct HeaderAllowlistConfig: Sendable {
    let exact: Set<String>
    let patterns: [Glob]

    init(_ node: ConfigNode) throws(ConfigError) {
        let m = try node.mapping("header-allowlist", allowed: ["allow"])
        var exact: Set<String> = []
        var patterns: [Glob] = []
        for name in try m.stringList("allow") ?? [] {
            let n = name.lowercased()
            guard !n.isEmpty, n.utf8.allSatisfy(Self.isTokenByte) else {
                throw ConfigError(mark: m["allow"]?.mark ?? m.mark,
                    message: "header-allowlist: '\(name)' is not a header name (letters, digits, '-', and '*' for patterns)")
            }
            if n.contains("*") { patterns.append(Glob(n)) } else { exact.insert(n) }
        }
        self.exact = exact
        self.patterns = patterns
    }

    init(allow: [String]) {
        exact = Set(allow.filter { !$0.contains("*") }.map { $0.lowercased() })
        patterns = allow.filter { $0.contains("*") }.map { Glob($0.lowercased()) }
    }

    /// `name` must be lower-cased.
    func allows(_ name: String) -> Bool {
        exact.contains(name) || patterns.contains { $0.matches(name) }
    }

    /// RFC 9110 token characters, plus `*` for patterns.
    private static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "*"): return true
        default: return false
        }
    }
}
