import NIOConcurrencyHelpers
import NIOHTTP1
import TollgateConfig
import TollgateProtocols

/// One loaded config, ready to serve: routes compiled, plugins built, providers resolved.
/// Immutable; a reload builds a new one and swaps it in whole.
public final class GatewayRuntime: Sendable {
    public let config: GatewayConfig
    public let router: Router
    public let providers: ProviderRegistry
    /// Built-in prices with the config's `pricing:` over them.
    public let prices: PriceTable
    public let loadedAt: ContinuousClock.Instant
    /// Every provider key and plugin-section secret (virtual keys) this config knows, for
    /// removal from upstream errors.
    public let secrets: SecretRedactor
    /// What clients present to the gateway itself (virtual keys), from the plugins' sections.
    private let clientCredentials: [String]
    /// `model_groups:`, ready to pick from, and the `health:` settings.
    public let groups: ModelGroups
    /// The process's health of targets and keys (`GatewayServices.health`).
    public let health: HealthBoard

    init(config: GatewayConfig, router: Router, providers: ProviderRegistry, health: HealthBoard = HealthBoard()) {
        self.config = config
        self.router = router
        self.providers = providers
        self.health = health
        self.groups = ModelGroups(config.routing, board: health)
        self.secrets = SecretRedactor(
            providers.byName.values.flatMap { $0.keys.map(\.value) } + config.sections.values.flatMap(\.secrets))
        self.clientCredentials = config.sections.values.flatMap(\.clientCredentials)
        self.prices = PriceTable(overrides: config.pricing)
        self.loadedAt = .now
    }

    /// Whether `key` is one of the gateway's own client credentials (a virtual key). Every one
    /// is compared, in constant time each, so the timing says nothing about which matched.
    public func isClientCredential(_ key: Substring) -> Bool {
        var hit = false
        let k = String(key)
        for c in clientCredentials where constantTimeEqual(k, c) { hit = true }
        return hit
    }

    /// Builds the runtime for `config`; all problems are reported together, each at its line.
    public static func build(
        config: GatewayConfig, services: GatewayServices, factories: [any PluginFactory],
        environment: [String: String]
    ) throws(ConfigErrors) -> GatewayRuntime {
        let providers = try ProviderRegistry(config: config.providers, environment: environment)
        var byName: [String: any PluginFactory] = [:]
        for f in factories { byName[f.name] = f }
        let known = byName.keys.sorted().joined(separator: ", ")
        var errors: [ConfigError] = []
        var routes: [Route] = []
        for rc in config.routes {
            var plugins: [any Plugin] = []
            let bctx = PluginBuildContext(config: config, providers: providers, services: services, route: rc, environment: environment)
            for entry in rc.plugins {
                guard let f = byName[entry.name] else {
                    errors.append(ConfigError(mark: entry.mark, message: "unknown plugin '\(entry.name)' (known: \(known))"))
                    continue
                }
                do {
                    plugins.append(try f.make(entry.config, bctx))
                } catch {
                    errors.append(error)
                }
            }
            errors += orderErrors(rc, byName)
            let upstreams = plugins.filter { $0 is any UpstreamPhase }.count
            if upstreams > 1 {
                errors.append(ConfigError(mark: rc.mark, message: "route '\(rc.id)' has \(upstreams) upstream plugins; exactly one may send the request"))
            }
            let methods = rc.methods.map { Set($0.map { $0.uppercased() }) }
            routes.append(Route(id: rc.id, uri: rc.uri, methods: methods, host: rc.host, plugins: plugins))
        }
        if !errors.isEmpty { throw ConfigErrors(errors: errors) }
        return GatewayRuntime(config: config, router: Router(routes: routes), providers: providers, health: services.health)
    }
}

/// Each plugin of the route that is listed before one it must follow, at its entry.
private func orderErrors(_ rc: RouteConfig, _ factories: [String: any PluginFactory]) -> [ConfigError] {
    var errors: [ConfigError] = []
    for (i, entry) in rc.plugins.enumerated() {
        for rule in factories[entry.name]?.comesAfter ?? [] {
            guard let j = rc.plugins.firstIndex(where: { $0.name == rule.plugin }), j > i else { continue }
            errors.append(ConfigError(
                mark: entry.mark,
                message: "plugin '\(entry.name)' must come after '\(rule.plugin)' in route '\(rc.id)': \(rule.reason)"))
        }
    }
    return errors
}

/// The runtime in force. A request reads it once, at its start, and keeps that snapshot.
public final class RuntimeBox: Sendable {
    private let box: NIOLockedValueBox<GatewayRuntime>
    public init(_ runtime: GatewayRuntime) { box = NIOLockedValueBox(runtime) }
    public var current: GatewayRuntime { box.withLockedValue { $0 } }
    public func replace(_ runtime: GatewayRuntime) { box.withLockedValue { $0 = runtime } }
}
