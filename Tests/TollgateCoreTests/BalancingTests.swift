import Testing
import TollgateConfig

@testable import TollgateCore

/// Model groups' choices and the health board's cooldowns (docs/routing.md), without a network.
@Suite struct BalancingTests {
    private func group(_ strategy: ModelGroupConfig.Strategy = .weighted, weights: [Int], board: HealthBoard) -> ModelGroup {
        let targets = weights.enumerated().map { ModelGroupConfig.Target(provider: "p\($0.offset)", model: "m", weight: $0.element) }
        return ModelGroup(ModelGroupConfig(name: "g", strategy: strategy, targets: targets, mark: SourceMark(file: "", line: 1, column: 1)), board: board)
    }

    @Test func weightedSplitsByWeight() {
        let board = HealthBoard()
        let g = group(weights: [3, 1], board: board)
        var counts = [0, 0]
        for _ in 0..<4000 { counts[g.choose(board) ?? 0] += 1 }
        // Binomial(4000, 0.75): mean 3000, sd ≈ 27; 6 sd either way.
        #expect((2838...3162).contains(counts[0]), "\(counts)")
    }

    @Test func aTargetInCooldownIsSkippedAndAllCoolingPicksTheSoonest() {
        let board = HealthBoard()
        let g = group(weights: [1, 1], board: board)
        let health = HealthConfig(failuresToCooldown: 2, cooldownSeconds: 60, retries: 0)
        board.failed("p0/m", health)
        #expect(board.coolingUntil("p0/m") == nil, "one failure of two is no cooldown yet")
        board.failed("p0/m", health)
        #expect(board.coolingUntil("p0/m") != nil)
        for _ in 0..<100 { #expect(g.choose(board) == 1) }
        // p1 cools for longer (a 429's retry-after): p0's cooldown ends first, so p0 is used.
        board.failed("p1/m", health, rateLimited: true, retryAfter: 600)
        #expect(g.choose(board) == 0)
        // A success ends the cooldown at once.
        board.succeeded("p0/m")
        #expect(board.coolingUntil("p0/m") == nil)
    }

    @Test func retriesGoToTargetsNotTried() {
        let board = HealthBoard()
        let g = group(weights: [1, 1, 1], board: board)
        var tried: UInt64 = 0
        for _ in 0..<3 {
            guard let i = g.choose(board, tried: tried) else { Issue.record("ran out early"); return }
            #expect(tried & (1 << UInt64(i)) == 0)
            tried |= 1 << UInt64(i)
        }
        #expect(g.choose(board, tried: tried) == nil)
    }

    @Test func leastBusyAndLowestLatency() {
        let board = HealthBoard()
        let busy = group(.leastBusy, weights: [1, 1], board: board)
        busy.stats(of: 0).started()
        for _ in 0..<50 { #expect(busy.choose(board) == 1) }
        busy.stats(of: 0).ended()

        let board2 = HealthBoard()
        let fast = group(.lowestLatency, weights: [1, 1], board: board2)
        fast.stats(of: 0).recordTTFB(0.5)
        #expect(fast.choose(board2) == 1, "an unmeasured target goes first")
        fast.stats(of: 1).recordTTFB(0.05)
        for _ in 0..<50 { #expect(fast.choose(board2) == 1) }
    }

    /// Other event loops change the counts while a pick reads them: a pick must still find a
    /// target (it once read them twice and could find none, and trapped).
    @Test func leastBusyPicksWhileCountsChange() async {
        let board = HealthBoard()
        let g = group(.leastBusy, weights: [1, 1, 1], board: board)
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                for i in 0..<200_000 {
                    let s = g.stats(of: i % 3)
                    s.started()
                    s.ended()
                }
            }
            tasks.addTask {
                for _ in 0..<200_000 { #expect(g.choose(board) != nil) }
            }
        }
    }

    @Test func aHealthyBoardBuildsNoIDs() {
        let board = HealthBoard()
        var built = 0
        func id() -> String { built += 1; return "x/y" }
        #expect(board.coolingUntil(id()) == nil)
        board.succeeded(id())
        #expect(built == 0)
    }

    @Test func keysInCooldownAreSkipped() {
        let board = HealthBoard()
        let p = Provider(name: "p", kind: ProviderKind(ProviderKinds.builtin[0]), endpoint: nil,
                         keys: [.init(value: "k1", weight: 1, models: []), .init(value: "k2", weight: 1, models: [])],
                         apiVersion: nil, deployments: [:], project: nil, region: nil, models: [])
        board.failed("p#1", HealthConfig(failuresToCooldown: 1))
        for _ in 0..<50 { #expect(p.pickKey(for: "m", board: board)?.index == 1) }
        #expect(p.pickKey(for: "m", board: board, avoid: 1)?.index == 0, "avoiding the other, the cooling one is all there is")
    }

    @Test func anAbsurdRetryAfterIsHeldToADay() {
        let board = HealthBoard()
        board.failed("x/y", HealthConfig(), rateLimited: true, retryAfter: 1e30)
        let until = board.coolingUntil("x/y") ?? 0
        #expect(until > HealthBoard.now() + 86_000 * 1_000_000_000 && until <= HealthBoard.now() + 86_400 * 1_000_000_000)
    }

    @Test func retryAfterReadsSecondsAndDates() {
        #expect(RetryAfter.seconds("120") == 120)
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 GMT", now: 784_111_777 - 30) == 30)
        #expect(RetryAfter.seconds("soon") == nil)
    }
}
