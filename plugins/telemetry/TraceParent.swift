import TollgateCore

/// W3C Trace Context (`traceparent: 00-<trace id>-<parent id>-<flags>`). The gateway is one
/// hop of the client's trace: it keeps the trace id and flags, and names itself as the parent
/// of the upstream call with a fresh span id. A missing or malformed header starts a new trace.
struct TraceParent: Sendable, Equatable {
    /// 32 lowercase hex digits.
    var traceID: String
    /// 16 lowercase hex digits.
    var spanID: String
    /// 2 hex digits; `01` is "sampled".
    var flags: String

    /// Built in one allocation: interpolation grows the string piece by piece.
    var header: String {
        let count = 3 + traceID.utf8.count + 1 + spanID.utf8.count + 1 + flags.utf8.count
        return String(unsafeUninitializedCapacity: count) { buf in
            var i = 0
            let put = { (s: String) in
                for b in s.utf8 {
                    buf[i] = b
                    i += 1
                }
            }
            put("00-")
            put(traceID)
            put("-")
            put(spanID)
            put("-")
            put(flags)
            return i
        }
    }

    /// Parses a `traceparent` value; nil when it does not follow the spec (version `ff`,
    /// all-zero ids, wrong lengths, upper-case hex are all invalid).
    init?(parsing value: String) {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4,
              parts[0].count == 2, Self.isHex(parts[0]), parts[0] != "ff",
              parts[1].count == 32, Self.isHex(parts[1]), !Self.isZero(parts[1]),
              parts[2].count == 16, Self.isHex(parts[2]), !Self.isZero(parts[2]),
              parts[3].count == 2, Self.isHex(parts[3])
        else { return nil }
        // Version 00 has exactly four fields; later versions may append more (spec: keep going).
        if parts[0] == "00", parts.count != 4 { return nil }
        traceID = String(parts[1])
        spanID = String(parts[2])
        flags = String(parts[3])
    }

    init(traceID: String, spanID: String, flags: String) {
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
    }

    /// The header to send upstream for a request that arrived with `incoming`.
    static func next(after incoming: String?) -> TraceParent {
        if let incoming, let parent = TraceParent(parsing: incoming) {
            return TraceParent(traceID: parent.traceID, spanID: randomHex(words: 1), flags: parent.flags)
        }
        return TraceParent(traceID: randomHex(words: 2), spanID: randomHex(words: 1), flags: "01")
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// `words` random 64-bit words as hex; never all zeros (the spec forbids zero ids).
    static func randomHex(words: Int) -> String {
        // FastRandom, not the system generator: that is a getrandom(2) call per word, and this
        // runs for every request. Ids need to be unique and spread, not secret.
        String(unsafeUninitializedCapacity: words * 16) { buf in
            var allZero = true
            for w in 0..<words {
                var v = FastRandom.next()
                if w == words - 1, allZero, v == 0 { v = 1 }
                if v != 0 { allZero = false }
                for i in 0..<16 { buf[w * 16 + i] = digits[Int((v >> (60 - UInt64(i) * 4)) & 0xF)] }
            }
            return words * 16
        }
    }

    private static func isHex(_ s: Substring) -> Bool {
        s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    private static func isZero(_ s: Substring) -> Bool { s.utf8.allSatisfy { $0 == 0x30 } }
}
