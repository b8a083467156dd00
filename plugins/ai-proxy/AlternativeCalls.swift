import TollgateCore
import TollgateProtocols

/// What a request may try after its first call fails before the client has anything
/// (docs/routing.md): `health.retries` more of its group's targets (or, for a plain target, the
/// provider's other keys), then the group's fallbacks and the route's, those cooling down last.
/// Each call is built only when it is needed, so a request that succeeds pays for none of them.
final class AlternativeCalls: UpstreamAlternatives {
    private let ctx: RequestContext
    private let surface: Surface
    private let config: AIProxyConfig
    private var retriesLeft: Int
    private var fallbacks: [ResolvedTarget]
    private var nextFallback = 0
    /// Fallbacks passed over because they were cooling down: tried after the others.
    private var cooling: [ResolvedTarget] = []
    private var nextCooling = 0

    init(ctx: RequestContext, surface: Surface, config: AIProxyConfig, retries: Int, fallbacks: [ResolvedTarget]) {
        self.ctx = ctx
        self.surface = surface
        self.config = config
        self.retriesLeft = retries
        self.fallbacks = fallbacks
    }

    func next(after failed: UpstreamCall) -> UpstreamCall? {
        let board = ctx.runtime.health
        while retriesLeft > 0 {
            retriesLeft -= 1
            if let group = ctx.modelGroup {
                guard let i = group.choose(board, tried: ctx.groupTried) else { break }
                ctx.groupTried |= 1 << UInt64(i)
                if let c = try? UpstreamRequestBuilder.call(
                    for: group.targets[i], surface: surface, ctx: ctx, config: config, isFallback: true, stats: group.stats(of: i)) {
                    return c
                }
            } else {
                // One target: another of its provider's keys, when it has one to offer.
                guard let avoid = failed.keyIndex,
                      let c = try? UpstreamRequestBuilder.call(
                        for: failed.target, surface: surface, ctx: ctx, config: config, isFallback: failed.isFallback, avoidKey: avoid),
                      let k = c.keyIndex, k != avoid
                else { break }
                return c
            }
        }
        while nextFallback < fallbacks.count {
            let t = fallbacks[nextFallback]
            nextFallback += 1
            if board.coolingUntil(t.qualified) != nil {
                cooling.append(t)
                continue
            }
            // A fallback that cannot be built (no key, no endpoint) is skipped, not fatal.
            if let c = try? UpstreamRequestBuilder.call(for: t, surface: surface, ctx: ctx, config: config, isFallback: true) { return c }
        }
        while nextCooling < cooling.count {
            let t = cooling[nextCooling]
            nextCooling += 1
            if let c = try? UpstreamRequestBuilder.call(for: t, surface: surface, ctx: ctx, config: config, isFallback: true) { return c }
        }
        return nil
    }
}
