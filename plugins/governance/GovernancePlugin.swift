import Foundation
import NIOCore
import NIOHTTP1
import TollgateConfig
import TollgateCore
import TollgateProtocols

/// governance: who may pass (access), what it cost (response head, for whole answers), and
/// accounting (log). The access phase reads only memory: a hash lookup, a constant-time compare,
/// pattern checks, and one per-key lock for the limits.
struct GovernancePlugin: AccessPhase, ResponseHeadPhase, LogPhase {
    let config: GovernanceConfig
    let keys: VirtualKeyIndex
    let ledger: UsageLedger
    /// Unix seconds; a parameter so tests can move time.
    let now: @Sendable () -> Double

    /// Budgets and token limits are charged from the answer's usage.
    var consumesUsage: Bool { true }

    /// This request passed governance's access phase: its response head and log phases apply.
    enum Admitted: ContextSlot { typealias Value = Bool }

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

        if entry.models != nil, ctx.head.method != .GET, ctx.head.method != .HEAD {
            do {
                let target = try ctx.resolveTarget()
                guard entry.allows(target) else {
                    return .respond(.error(GovernanceErrors.modelNotAllowed(entry.name, target.qualified)))
                }
            } catch {
                return .respond(.error(error))
            }
        }
        return admit(ctx, entry)
    }

    private func admit(_ ctx: RequestContext, _ entry: VirtualKeyEntry) -> PhaseResult {
        let t = now()
        let decision = entry.cell.usage.withLockedValue { $0.admit(entry.policy, now: t) }
        switch decision {
        case .allowed:
            ctx[slot: Admitted.self] = true
            return .next
        case .notLoaded:
            // Only in the first moments after start, while stored counters load.
            let p = ctx.eventLoop.makePromise(of: PhaseResult.self)
            ledger.ready.hop(to: ctx.eventLoop).assumeIsolated().whenComplete { _ in
                p.succeed(admit(ctx, entry))
            }
            return .wait(p.futureResult)
        case .budgetSpent(let retry, let spent):
            let b = entry.policy.budget
            return .respond(.error(GovernanceErrors.budgetSpent(
                entry.name, maxUSD: b?.maxUSD ?? 0, period: b?.period ?? "", spent: spent, retryAfter: retry)))
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

    /// Counts the request's tokens and cost against its key. Runs for streams at their end and
    /// for clients that left mid-stream (usage holds what passed before they did).
    func log(_ ctx: RequestContext) {
        guard ctx[slot: Admitted.self] != nil, let name = ctx.virtualKeyName, let entry = keys.byName[name] else { return }
        let u = ctx.usage
        let cost = ctx.costUSD ?? 0
        let t = now()
        entry.cell.usage.withLockedValue {
            $0.record(inputTokens: u.inputTokens, outputTokens: u.outputTokens, costUSD: cost, entry.policy, now: t)
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
