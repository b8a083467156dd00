import TollgateConfig

/// A `model_groups:` entry ready to pick from: targets resolved and their live numbers found at
/// config load, so a pick is a walk over a few array slots (docs/routing.md). A class: a
/// request holds it by one reference.
public final class ModelGroup: Sendable {
    public let name: String
    public let strategy: ModelGroupConfig.Strategy
    public let targets: [ResolvedTarget]
    public let fallbacks: [ResolvedTarget]
    let ids: [String]
    let weights: [Int]
    let stats: [TargetStats]

    init(_ c: ModelGroupConfig, board: HealthBoard) {
        name = c.name
        strategy = c.strategy
        targets = c.targets.map { ResolvedTarget(provider: $0.provider, model: $0.model) }
        fallbacks = c.fallbacks.map { ResolvedTarget(provider: $0.provider, model: $0.model) }
        ids = targets.map(\.qualified)
        weights = c.targets.map { max(1, $0.weight) }
        stats = ids.map { board.stats($0) }
    }

    /// At most this many targets (a request keeps the ones it tried as bits of one word).
    public static let maxTargets = 64

    /// The target a request goes to first, or the next to retry (`tried` has bit i set for
    /// target i once used): the strategy's choice among those not cooling down; when all are,
    /// the one whose cooldown ends first. Nil once every target was tried.
    public func choose(_ board: HealthBoard, tried: UInt64 = 0) -> Int? {
        let untried = targets.indices.filter { tried & (1 << UInt64($0)) == 0 }
        let ready = WeightedChoice.ready(untried, board: board) { ids[$0] }
        guard !ready.isEmpty else { return nil }
        if ready.count == 1 { return ready[0] }
        switch strategy {
        case .weighted:
            return weighted(ready)
        case .leastBusy:
            // One reading of each count: other loops change them meanwhile, and a second
            // reading could leave no target at the least.
            let loads = ready.map { stats[$0].inFlight }
            let least = loads.min() ?? 0
            return weighted(ready.indices.filter { loads[$0] == least }.map { ready[$0] })
        case .lowestLatency:
            // Unmeasured targets first, so every target gets a measurement.
            let ttfb = ready.map { stats[$0].ttfbSeconds }
            let unmeasured = ready.indices.filter { ttfb[$0] == nil }.map { ready[$0] }
            if !unmeasured.isEmpty { return weighted(unmeasured) }
            return ready.indices.min { (ttfb[$0] ?? 0) < (ttfb[$1] ?? 0) }.map { ready[$0] }
        }
    }

    /// `among` is never empty (the callers pick from targets they found).
    private func weighted(_ among: [Int]) -> Int {
        WeightedChoice.draw(among) { weights[$0] }
    }

    public func stats(of index: Int) -> TargetStats { stats[index] }
}

/// Every group of a config, by the name clients ask for.
public struct ModelGroups: Sendable {
    public let byName: [String: ModelGroup]
    public let health: HealthConfig

    public init(_ config: RoutingConfig, board: HealthBoard) {
        var map: [String: ModelGroup] = [:]
        for g in config.groups { map[g.name] = ModelGroup(g, board: board) }
        byName = map
        health = config.health
    }

    public subscript(name: String) -> ModelGroup? { byName.isEmpty ? nil : byName[name] }
}
