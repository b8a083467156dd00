import Synchronization

/// 64-bit ids for tracing and the like: a SplitMix64 sequence from a seed drawn once from the
/// system generator. Unique within the process and well spread, without the getrandom(2)
/// system call that `SystemRandomNumberGenerator` makes for every number. Not for secrets.
public enum FastRandom {
    private static let state = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    public static func next() -> UInt64 {
        var z = state.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
