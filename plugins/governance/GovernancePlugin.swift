import Foundation
import NIOCore
import NIOHTTP1
import TollgateConfig
import TollgateCore
import TollgateProtocols
import TollgateStore

/// governance: who may pass (access), what it cost (response head, for whole answers), and
/// accounting (log). On one instance the access phase reads only memory: a hash lookup, a
/// constant-time compare, pattern checks, and one per-key lock for the limits. In a fleet a
/// limited key's decision is one round trip to the shared store (spec section 11).
struct GovernancePlugin: AccessPhase, ResponseHeadPhase, LogPhase {
    let config: GovernanceConfig
    let keys: VirtualKeyIndex
    let ledger: UsageLedger
    /// Unix seconds; a parameter so tests can move time.
    let now: @Sendable () -> Double

    /// Budgets and token limits are charged from the answer's usage.
    var consumesUsage: Bool { true }

    /// This request passed governance's access phase, holding this reservation: its response
    /// head and log phases apply.
    enum Admitted: ContextSlot { typealias Value = Held }

    struct Held {
        var reservation: Reservation
        /// The shared store's name for the reservation (fleets only).
        var id: String?
    }

    /// A reservation never settled (its gateway died) stops counting against the budget after
    /// this long; a settled one is gone at once.
    static let reservationLease = 900.0

    // MARK: access

    func access(_ ctx: RequestContext) -> PhaseResult {
        let presented = PresentedCredentials.presented(in: ctx.head.headers)
        var entry: VirtualKeyEntry?
        if let vk = presented.virtualKey {
            guard let e = keys.lookup(vk) else { return .respond(.error(GovernanceErrors.unknownKey)) }
            entry = e
        }
        // The SDKs' own key headers: a virtual key there counts as one; anything else is a
        // provider key of the client's own (ai-proxy picks it, where it allows direct keys).
        var direct: Substring?
        for case let v? in presented.credentials {
            if let e = keys.lookup(v) {
                if entry == nil { entry = e }
            } else if direct == nil {
                direct = v
            }
        }
        guard let entry else {
            guard config.required else { return .next }
            return .respond(.error(direct == nil ? GovernanceErrors.missingKey : GovernanceErrors.unknownKey))
        }
        ctx.virtualKeyName = entry.name
        let hasBody = ctx.head.method != .GET && ctx.head.method != .HEAD

        if entry.models != nil, hasBody {
            do {
                let target = try ctx.resolveTarget()
                // A model group's name counts as well as the target it picked (docs/routing.md).
                guard entry.allows(target) || ctx.modelGroup.map({ entry.allows(name: $0.name) }) == true else {
                    return .respond(.error(GovernanceErrors.modelNotAllowed(entry.name, target.qualified)))
                }
            } catch {
                return .respond(.error(error))
            }
        }
        var reserve = Reservation.none
        if entry.policy.reserves, hasBody {
            do {
                let w = try ctx.worstCase()
                // A worst case above a whole minute's allowance waits for an empty bucket.
                reserve = Reservation(tokens: min(w.tokens, entry.policy.rateLimit?.tokensPerMinute ?? Int.max), usd: w.usd)
            } catch {
                return .respond(.error(error))
            }
        }
        if let quota = ledger.shared { return admitShared(ctx, entry, reserve, quota) }
        return admit(ctx, entry, reserve)
    }

    /// One process: decided in memory, under the key's lock.
    private func admit(_ ctx: RequestContext, _ entry: VirtualKeyEntry, _ reserve: Reservation) -> PhaseResult {
        let t = now()
        let decision = entry.cell.usage.withLockedValue { $0.admit(entry.policy, reserve: reserve, now: t) }
        switch decision {
        case .allowed:
            ctx[slot: Admitted.self] = Held(reservation: reserve)
            return .next
        case .notLoaded:
            // Only in the first moments after start, while stored counters load.
            let p = ctx.eventLoop.makePromise(of: PhaseResult.self)
            ledger.ready.hop(to: ctx.eventLoop).assumeIsolated().whenComplete { _ in
                p.succeed(admit(ctx, entry, reserve))
            }
            return .wait(p.futureResult)
        case .budgetSpent(let retry, let spent): return refusal(entry, .budgetSpent(retryAfter: retry, spent: spent))
        case .budgetHeld(let spent): return refusal(entry, .budgetHeld(spent: spent))
        case .requestLimit(let retry): return refusal(entry, .requestLimit(retryAfter: retry))
        case .tokenLimit(let retry): return refusal(entry, .tokenLimit(retryAfter: retry))
        }
    }

    /// A fleet: one round trip to the shared store, which locks the key's row, decides and
    /// reserves (spec section 11). A key without limits needs no decision and makes no trip.
    /// A store that does not answer is a 503, never an unchecked pass.
    private func admitShared(_ ctx: RequestContext, _ entry: VirtualKeyEntry, _ reserve: Reservation, _ quota: any SharedQuota) -> PhaseResult {
        guard entry.policy.isLimited else {
            ctx[slot: Admitted.self] = Held(reservation: .none)
            return .next
        }
        let t = now()
        let id = ctx.requestID + "." + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let limits = entry.policy.rateLimit
        let budget = entry.policy.budget.map { b in
            let w = BudgetWindow(budget: b, now: Int64(t))
            return BudgetAsk(window: w.name, start: w.start, end: w.end, maxUSD: b.maxUSD)
        }
        let ask = QuotaAsk(
            subject: entry.name, now: t, requestsPerMinute: limits?.requestsPerMinute, tokensPerMinute: limits?.tokensPerMinute,
            reserveTokens: Int64(reserve.tokens), budget: budget, reserveUSD: reserve.usd, reservationID: id,
            leaseSeconds: Self.reservationLease)
        let p = ctx.eventLoop.makePromise(of: PhaseResult.self)
        StoreCall.bounded(quota.admit(ask, on: ctx.eventLoop), on: ctx.eventLoop).assumeIsolated().whenComplete { result in
            switch result {
            case .success(.allowed):
                ctx[slot: Admitted.self] = Held(reservation: reserve, id: id)
                p.succeed(.next)
            case .success(let refused):
                p.succeed(refusal(entry, refused))
            case .failure(let error):
                ledger.storeFailed(error)
                p.succeed(.respond(.error(StoreCall.unavailable)))
            }
        }
        return .wait(p.futureResult)
    }

    private func refusal(_ entry: VirtualKeyEntry, _ verdict: QuotaVerdict) -> PhaseResult {
        switch verdict {
        case .allowed:
            return .next
        case .budgetSpent(let retry, let spent):
            let b = entry.policy.budget
            return .respond(.error(GovernanceErrors.budgetSpent(
                entry.name, maxUSD: b?.maxUSD ?? 0, period: b?.period ?? "", spent: spent, retryAfter: retry)))
        case .budgetHeld(let spent):
            return .respond(.error(GovernanceErrors.budgetHeld(entry.name, maxUSD: entry.policy.budget?.maxUSD ?? 0, spent: spent)))
        case .requestLimit(let retry):
            return .respond(.error(GovernanceErrors.requestLimit(
                entry.name, entry.policy.rateLimit?.requestsPerMinute ?? 0, retryAfter: retry)))
        case .tokenLimit(let retry):
            return .respond(.error(GovernanceErrors.tokenLimit(
                entry.name, entry.policy.rateLimit?.tokensPerMinute ?? 0, retryAfter: retry)))
        }
    }

    // MARK: response head

    /// A whole (non-stream) translated answer is complete before its head goes out, so its
    /// cost is known: `x-tollgate-cost-usd`. Streams and passthrough answers send their head
    /// first; their cost is in the request log (telemetry) and the key's counters.
    func responseHead(_ ctx: RequestContext, _ head: inout HTTPResponseHead) {
        guard !ctx.isStream, ctx[slot: Admitted.self] != nil, let cost = ctx.settleCost() else { return }
        head.headers.replaceOrAdd(name: "x-tollgate-cost-usd", value: String(format: "%.8f", cost))
    }

    // MARK: log

    /// Counts the request's tokens and cost against its key, releasing its reservation. Runs
    /// for streams at their end, for clients that left mid-stream (usage holds what passed
    /// before they did) and for failed upstream calls (nothing used, the reservation freed).
    func log(_ ctx: RequestContext) {
        guard let held = ctx[slot: Admitted.self], let name = ctx.virtualKeyName, let entry = keys.byName[name] else { return }
        let u = ctx.usage
        let cost = ctx.costUSD ?? 0
        let t = now()
        if ledger.shared != nil {
            let window = entry.policy.budget.map { BudgetWindow(budget: $0, now: Int64(t)) }
            ledger.settle(QuotaSettlement(
                subject: name, reservationID: held.id, now: t, tokensPerMinute: entry.policy.rateLimit?.tokensPerMinute,
                reservedTokens: Int64(held.reservation.tokens), inputTokens: Int64(u.inputTokens),
                outputTokens: Int64(u.outputTokens), costUSD: cost, budgetWindow: window?.name, budgetStart: window?.start ?? 0))
            return
        }
        entry.cell.usage.withLockedValue {
            $0.settle(inputTokens: u.inputTokens, outputTokens: u.outputTokens, costUSD: cost,
                      reserved: held.reservation, entry.policy, now: t)
        }
    }
}

struct GovernanceFactory: PluginFactory {
    var name: String { "governance" }
    var sections: [any ConfigSection.Type] { [VirtualKeysSection.self] }

    func make(_ node: ConfigNode, _ context: PluginBuildContext) throws(ConfigError) -> any Plugin {
        let config = try GovernanceConfig(node)
        let services = context.services
        let ledger = services.shared(UsageLedger.sharedKey) { () -> UsageLedger in
            let l = UsageLedger(store: services.store, eventLoop: services.group.next(), logger: services.logger)
            l.start()
            services.onShutdown { await l.stop() }
            return l
        }
        let keys = VirtualKeyIndex(context.config.section(VirtualKeysSection.self)?.keys ?? [], ledger: ledger)
        return GovernancePlugin(config: config, keys: keys, ledger: ledger, now: { Date().timeIntervalSince1970 })
    }
}
