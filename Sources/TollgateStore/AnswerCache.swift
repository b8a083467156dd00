/// Stored answers of the cache plugin (plugins/cache/README.md): the embedded file keeps them
/// across restarts, PostgreSQL shares them across a fleet. The plugin keeps its own index in
/// memory and comes here to persist, to warm up, and (in a fleet) for what it has not seen.
public protocol AnswerCache: Sendable {
    /// The unexpired entry stored under `key`.
    func cachedAnswer(key: String, now: Double) async throws -> CachedAnswer?
    /// The unexpired entries of a semantic partition, newest first.
    func cachedAnswers(partition: String, now: Double, limit: Int) async throws -> [CachedAnswer]
    /// The newest unexpired entries, for warming a process's memory at start.
    func recentAnswers(now: Double, limit: Int) async throws -> [CachedAnswer]
    func storeAnswer(_ entry: CachedAnswer) async throws
    /// Drops expired entries and all but the newest `keep`.
    func purgeAnswers(now: Double, keep: Int) async throws
}

public struct CachedAnswer: Sendable, Equatable {
    public var key: String
    public var partition: String
    /// The prompt's embedding (semantic entries).
    public var embedding: [Float]?
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    public var createdAt: Double
    public var expiresAt: Double

    public init(key: String, partition: String, embedding: [Float]?, status: Int, contentType: String, body: [UInt8],
                createdAt: Double, expiresAt: Double) {
        self.key = key
        self.partition = partition
        self.embedding = embedding
        self.status = status
        self.contentType = contentType
        self.body = body
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// An embedding as stored: little-endian IEEE floats.
    public static func encode(_ v: [Float]?) -> [UInt8]? {
        guard let v else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(v.count * 4)
        for f in v {
            let b = f.bitPattern.littleEndian
            out.append(UInt8(truncatingIfNeeded: b))
            out.append(UInt8(truncatingIfNeeded: b >> 8))
            out.append(UInt8(truncatingIfNeeded: b >> 16))
            out.append(UInt8(truncatingIfNeeded: b >> 24))
        }
        return out
    }

    public static func decode(_ bytes: [UInt8]?) -> [Float]? {
        guard let bytes, bytes.count % 4 == 0 else { return nil }
        var out: [Float] = []
        out.reserveCapacity(bytes.count / 4)
        var i = 0
        while i < bytes.count {
            let b = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            out.append(Float(bitPattern: b))
            i += 4
        }
        return out
    }
}
