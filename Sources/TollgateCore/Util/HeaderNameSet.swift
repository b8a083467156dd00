import NIOHTTP1

/// A fixed set of lowercase header names, built once, matched case-insensitively per header
/// without allocating: candidates are grouped by length, so most names are ruled out by one
/// array lookup.
public struct HeaderNameSet: Sendable {
    private let byLength: [[[UInt8]]]
    /// Parallel to `byLength`: each name's position in the list it was built from.
    private let positions: [[Int]]

    public init(_ names: [String]) {
        var table: [[[UInt8]]] = []
        var pos: [[Int]] = []
        for (i, n) in names.enumerated() {
            let bytes = Array(n.lowercased().utf8)
            while table.count <= bytes.count {
                table.append([])
                pos.append([])
            }
            table[bytes.count].append(bytes)
            pos[bytes.count].append(i)
        }
        byLength = table
        positions = pos
    }

    public static func + (a: HeaderNameSet, b: HeaderNameSet) -> HeaderNameSet {
        var table = a.byLength
        var pos = a.positions
        let offset = a.positions.reduce(0) { $0 + $1.count }
        for (len, names) in b.byLength.enumerated() {
            while table.count <= len {
                table.append([])
                pos.append([])
            }
            table[len] += names
            pos[len] += b.positions[len].map { $0 + offset }
        }
        return HeaderNameSet(table: table, positions: pos)
    }

    private init(table: [[[UInt8]]], positions: [[Int]]) {
        byLength = table
        self.positions = positions
    }

    public func contains(_ name: String) -> Bool { index(of: name) != nil }

    /// The position of `name` in the list the set was built from (for `a + b`, b's names come
    /// after a's), compared case-insensitively; nil when it is not in the set.
    public func index(of name: String) -> Int? {
        var name = name
        return name.withUTF8 { n in
            guard n.count < byLength.count else { return nil }
            for (k, candidate) in byLength[n.count].enumerated() {
                var equal = true
                for i in 0..<n.count {
                    let b = n[i]
                    // ASCII lowercase; other bytes (`-`, `_`, digits, anything else) as they are.
                    if (b &- 0x41 < 26 ? b | 0x20 : b) != candidate[i] {
                        equal = false
                        break
                    }
                }
                if equal { return positions[n.count][k] }
            }
            return nil
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

/// Headers that describe one hop's connection, never relayed. `content-length` stays when a
/// transformer kept it (passthrough: same bytes, same length); translators never set it.
func stripHopByHop(_ headers: inout HTTPHeaders) {
    headers.removeAll(named: HeaderNameSet.hopByHop)
}
