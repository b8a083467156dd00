import Logging
import NIOConcurrencyHelpers
import NIOCore
import TollgateStore

/// What lives as long as the process, across reloads: the event loops, the upstream pools, the
/// store, and state plugins keep between config versions (rate-limit windows, metrics).
public final class GatewayServices: Sendable {
    public let group: any EventLoopGroup
    public let pools: ConnectionPools?
    public let logger: Logger
    public let store: (any Store)?
    public let admin: AdminRoutes
    /// Which targets and provider keys are failing (docs/routing.md); kept across reloads.
    public let health = HealthBoard()
    private let shared = NIOLockedValueBox<[String: any Sendable]>([:])
    private let executorBox = NIOLockedValueBox<(any InternalExecutor)?>(nil)
    private let shutdownTasks = NIOLockedValueBox<[@Sendable () async -> Void]>([])

    /// Runs requests through the pipeline from inside the gateway (async jobs). Set once the
    /// server exists.
    public var executor: (any InternalExecutor)? {
        get { executorBox.withLockedValue { $0 } }
        set { executorBox.withLockedValue { $0 = newValue } }
    }

    public init(group: any EventLoopGroup, pools: ConnectionPools?, logger: Logger, store: (any Store)?) {
        self.group = group
        self.pools = pools
        self.logger = logger
        self.store = store
        self.admin = AdminRoutes()
    }

    /// The value shared under `key`, made by `make` the first time. Plugins keep here what must
    /// outlive one config version, e.g. counters a reload must not reset.
    public func shared<T: Sendable>(_ key: String, _ make: () -> T) -> T {
        shared.withLockedValue { map in
            if let v = map[key] as? T { return v }
            let v = make()
            map[key] = v
            return v
        }
    }

    /// Registers work to do once requests have drained and before the store closes, e.g. the
    /// last flush of batched counters or log rows.
    public func onShutdown(_ task: @escaping @Sendable () async -> Void) {
        shutdownTasks.withLockedValue { $0.append(task) }
    }

    /// Runs the shutdown work, in registration order; called once by `serve` after the drain.
    public func runShutdownTasks() async {
        let tasks = shutdownTasks.withLockedValue { t in
            defer { t = [] }
            return t
        }
        for t in tasks { await t() }
    }
}
