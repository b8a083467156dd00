import NIOHTTP1

/// A fixed set of lowercase header names, built once, matched case-insensitively per header
/// without allocating: candidates are grouped by length, so most names are ruled out by one
/// array lookup.
public struct HeaderNameSet: Sendable {
    private let byLength: [[[UInt8]]]

    public init(_ names: [String]) {
        var table: [[[UInt8]]] = []
        for n in names {
            let bytes = Array(n.lowercased().utf8)
            while table.count <= bytes.count { table.append([]) }
            table[bytes.count].append(bytes)
        }
        byLength = table
    }

    public static func + (a: HeaderNameSet, b: HeaderNameSet) -> HeaderNameSet {
        var table = a.byLength
        for (len, names) in b.byLength.enumerated() {
            while table.count <= len { table.append([]) }
            table[len] += names
        }
        return HeaderNameSet(table: table)
    }

    private init(table: [[[UInt8]]]) { byLength = table }

    public func contains(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { n in
            guard n.count < byLength.count else { return false }
            for candidate in byLength[n.count] {
                var equal = true
                for i in 0..<n.count where n[i] | 0x20 != candidate[i] {
                    // Header names are ASCII; setting bit 5 lowercases letters and leaves `-` as is.
                    equal = false
                    break
                }
                if equal { return true }
            }
            return false
        }
    }

    /// Headers that describe one hop's connection, never relayed.
    public static let hopByHop = HeaderNameSet(["connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade", "te", "trailer"])
}

extension HTTPHeaders {
    /// Removes every header whose name is in `names`. Nothing is copied when none is present,
    /// the common case; otherwise the kept ones go into a new block in one step (NIO's
    /// `remove(name:)` and `add(name:value:)` each cost a scan or a check per call).
    public mutating func removeAll(named names: HeaderNameSet) {
        guard contains(where: { names.contains($0.name) }) else { return }
        var kept: [(String, String)] = []
        kept.reserveCapacity(count + 4)  // room for the gateway's own response headers
        for (name, value) in self where !names.contains(name) { kept.append((name, value)) }
        self = HTTPHeaders(kept)
    }

    /// Appends fields whose names the gateway chose: literals, or names checked when the config
    /// was loaded. NIO's `add(name:value:)` scans every name for non-ASCII bytes (about 400
    /// instructions a field); `add(contentsOf:)` with a whole block appends it as it is.
    @inlinable
    public mutating func append(_ fields: [(String, String)]) {
        add(contentsOf: HTTPHeaders(fields))
    }
}
