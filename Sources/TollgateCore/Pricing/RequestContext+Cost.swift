import TollgateProtocols

extension RequestContext {
    /// Prices the usage counted so far and records it in `costUSD`. The dispatcher calls this
    /// just before the log phase, so every log plugin (governance, telemetry) sees the same
    /// figure whatever their order; governance also calls it for the `x-tollgate-cost-usd`
    /// header of whole responses. Nil when the model has no price or nothing was used, unless a
    /// plugin set a cost itself (a cache hit's 0).
    @discardableResult
    public func settleCost() -> Double? {
        guard let t = target, !usage.isZero else { return costUSD }
        costUSD = runtime.prices.cost(usage, provider: t.provider, model: t.model)
        return costUSD
    }
}
