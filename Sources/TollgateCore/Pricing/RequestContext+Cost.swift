import TollgateProtocols

extension RequestContext {
    /// Prices the usage counted so far and records it in `costUSD`. The dispatcher calls this
    /// just before the log phase, so every log plugin (governance, telemetry) sees the same
    /// figure whatever their order; governance also calls it for the `x-tollgate-cost-usd`
    /// header of whole responses. Nil when the model has no price or nothing was used; 0 for an
    /// answer from the cache, which used nothing and costs nothing.
    @discardableResult
    public func settleCost() -> Double? {
        if cacheResult == "hit" {
            costUSD = 0
            return 0
        }
        guard let t = target, !usage.isZero else { return costUSD }
        costUSD = runtime.prices.cost(usage, provider: t.provider, model: t.model)
        return costUSD
    }
}
