/// The two steps every pick under health takes, for a group's targets and a provider's keys
/// alike: leave out what is cooling down (or, when all is, keep the one back first), then draw
/// by weight.
public enum WeightedChoice {
    /// Of `candidates`, those `board` does not have cooling down; when all are, the one whose
    /// cooldown ends first. No board: all of them. `id` is asked only when something is troubled.
    public static func ready(_ candidates: [Int], board: HealthBoard?, id: (Int) -> String) -> [Int] {
        guard let board, board.anyTrouble else { return candidates }
        let now = HealthBoard.now()
        var ready: [Int] = []
        var soonest: (index: Int, until: UInt64)?
        for i in candidates {
            if let until = board.coolingUntil(id(i), now: now) {
                if until < (soonest?.until ?? .max) { soonest = (i, until) }
            } else {
                ready.append(i)
            }
        }
        if ready.isEmpty, let s = soonest { return [s.index] }
        return ready
    }

    /// One of `among` (not empty), at random in proportion to `weight`; the first when every
    /// weight is 0.
    public static func draw(_ among: [Int], weight: (Int) -> Int) -> Int {
        if among.count == 1 { return among[0] }
        var total = 0
        for i in among { total += max(weight(i), 0) }
        guard total > 0 else { return among[0] }
        var pick = Int(FastRandom.next() % UInt64(total))
        for i in among {
            pick -= max(weight(i), 0)
            if pick < 0 { return i }
        }
        return among[among.count - 1]
    }
}
