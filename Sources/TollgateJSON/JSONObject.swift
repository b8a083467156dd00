/// An ordered JSON object. Lookups are linear: request and response objects have a handful of
/// keys, where a scan beats hashing and keeps insertion order for free.
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: JSON)
    public private(set) var pairs: [Element]

    public init() { pairs = [] }
    /// Room for `capacity` keys up front: the parser's objects skip the 1→2→4→8 regrowth.
    public init(minimumCapacity capacity: Int) {
        pairs = []
        pairs.reserveCapacity(capacity)
    }
    public init(_ pairs: [(String, JSON)]) { self.pairs = pairs.map { (key: $0.0, value: $0.1) } }
    public init(dictionaryLiteral elements: (String, JSON)...) { self.init(elements) }

    public var count: Int { pairs.count }
    public var isEmpty: Bool { pairs.isEmpty }
    public var keys: [String] { pairs.map(\.key) }

    public subscript(key: String) -> JSON? {
        get {
            for p in pairs where p.key == key { return p.value }
            return nil
        }
        set {
            if let i = pairs.firstIndex(where: { $0.key == key }) {
                if let v = newValue { pairs[i].value = v } else { pairs.remove(at: i) }
            } else if let v = newValue {
                pairs.append((key: key, value: v))
            }
        }
    }

    /// Appends without looking for an existing key; for building objects whose keys are known
    /// to be distinct (the parser, encoders).
    public mutating func append(_ key: String, _ value: JSON) { pairs.append((key: key, value: value)) }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSON? {
        guard let i = pairs.firstIndex(where: { $0.key == key }) else { return nil }
        return pairs.remove(at: i).value
    }

    public func makeIterator() -> IndexingIterator<[Element]> { pairs.makeIterator() }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        guard a.pairs.count == b.pairs.count else { return false }
        for (x, y) in zip(a.pairs, b.pairs) where x.key != y.key || x.value != y.value { return false }
        return true
    }
}
