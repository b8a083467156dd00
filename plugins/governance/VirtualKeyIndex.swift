import TollgateConfig
import TollgateCore

/// One configured virtual key, ready for requests: patterns compiled, its usage cell found.
/// The secret is kept only to compare with; it is never logged, stored or sent anywhere.
final class VirtualKeyEntry: Sendable {
    let name: String
    let secret: [UInt8]
    /// nil: every model.
    let models: [Glob]?
    let policy: KeyPolicy
    let cell: KeyCell

    init(_ config: VirtualKeyConfig, cell: KeyCell) {
        name = config.name
        secret = Array(config.key.utf8)
        models = config.models.map { $0.map { Glob($0) } }
        policy = KeyPolicy(budget: config.budget, rateLimit: config.rateLimit)
        self.cell = cell
    }

    func allows(_ target: ResolvedTarget) -> Bool {
        guard let models else { return true }
        let q = target.qualified
        return models.contains { $0.matches(q) }
    }

    func allows(name: String) -> Bool {
        guard let models else { return true }
        return models.contains { $0.matches(name) }
    }
}

/// Finds the virtual key a client presented without comparing it, byte by byte, to every key:
/// the presented text is hashed with the process's seeded SipHash (`Hasher`: random per
/// process, so an attacker cannot aim at a bucket), the bucket's few candidates are then
/// compared in constant time. Lookup cost is independent of the number of keys.
struct VirtualKeyIndex: Sendable {
    private let buckets: [Int: [VirtualKeyEntry]]
    let byName: [String: VirtualKeyEntry]

    init(_ keys: [VirtualKeyConfig], ledger: UsageLedger) {
        var buckets: [Int: [VirtualKeyEntry]] = [:]
        var byName: [String: VirtualKeyEntry] = [:]
        for k in keys {
            let e = VirtualKeyEntry(k, cell: ledger.cell(k.name))
            buckets[Self.hash(Substring(k.key)), default: []].append(e)
            byName[k.name] = e
        }
        self.buckets = buckets
        self.byName = byName
    }

    var isEmpty: Bool { byName.isEmpty }

    func lookup(_ presented: Substring) -> VirtualKeyEntry? {
        guard let candidates = buckets[Self.hash(presented)] else { return nil }
        var found: VirtualKeyEntry?
        for c in candidates where ConstantTime.equal(presented.utf8, c.secret) { found = c }
        return found
    }

    static func hash(_ s: Substring) -> Int {
        var h = Hasher()
        if s.utf8.withContiguousStorageIfAvailable({ h.combine(bytes: UnsafeRawBufferPointer($0)) }) == nil {
            Array(s.utf8).withUnsafeBytes { h.combine(bytes: $0) }
        }
        return h.finalize()
    }
}

enum ConstantTime {
    /// Equal bytes, in time that depends only on the secret's length, never on where the first
    /// difference is.
    static func equal(_ given: Substring.UTF8View, _ secret: [UInt8]) -> Bool {
        var diff: UInt8 = given.count == secret.count ? 0 : 1
        var it = given.makeIterator()
        for b in secret {
            diff |= b ^ (it.next() ?? ~b)
        }
        return diff == 0
    }
}
