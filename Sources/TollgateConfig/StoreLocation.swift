import Foundation

/// `store:`: where usage counters, request logs and async jobs live.
public enum StoreLocation: Sendable, Equatable {
    /// An absolute path (a relative one is resolved against the config file's directory).
    case sqlite(path: String)
    case postgres(url: String)
    case memory

    public static let defaultSQLiteFile = "tollgate.db"

    /// Parses `sqlite:PATH`, `postgres://…` / `postgresql://…` or `memory`; nil otherwise.
    public init?(parsing text: String, baseDirectory: String) {
        if text == "memory" {
            self = .memory
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(url: text)
        } else if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            // Accept the URL-looking spelling sqlite://PATH as well.
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { return nil }
            self = .sqlite(path: Paths.resolve(path, against: baseDirectory))
        } else {
            return nil
        }
    }

    static func decode(_ node: ConfigNode?, baseDirectory: String, _ d: inout Diagnostics) -> StoreLocation {
        let fallback = StoreLocation.sqlite(path: Paths.resolve(defaultSQLiteFile, against: baseDirectory))
        guard let node, !node.isNull, let text = d.read({ () throws(ConfigError) in try node.string() }) else { return fallback }
        guard let store = StoreLocation(parsing: text, baseDirectory: baseDirectory) else {
            d.error("invalid store '\(redacted(text))' (expected sqlite:PATH, postgres://USER:PASS@HOST:PORT/DB or memory)", at: node.mark)
            return fallback
        }
        if case .postgres(let url) = store, let problem = postgresProblem(url) {
            d.error("store \(redacted(text)): \(problem)", at: node.mark)
        }
        return store
    }

    /// What `tollgate check` can tell about a PostgreSQL URL without connecting: its form and
    /// its options (the store reads the same ones when it opens).
    static func postgresProblem(_ url: String) -> String? {
        guard let c = URLComponents(string: url), let host = c.host, !host.isEmpty else {
            return "cannot read the URL (expected postgres://USER:PASS@HOST:PORT/DB)"
        }
        for item in c.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                let modes = ["disable", "prefer", "require", "verify-full"]
                if !modes.contains(item.value ?? "") {
                    return "unknown sslmode '\(item.value ?? "")' (\(modes.joined(separator: ", ")))"
                }
            case "pool_max":
                if (Int(item.value ?? "") ?? 0) < 1 { return "pool_max must be a positive number of connections" }
            default:
                return "unknown option '\(item.name)' (sslmode, pool_max)"
            }
        }
        return nil
    }

    /// The store text without the password of a URL, for messages.
    static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text.lastIndex(of: "@"), scheme.upperBound < at,
            let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
        else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at...])
    }
}
