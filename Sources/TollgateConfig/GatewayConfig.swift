/// A whole routes.yaml, validated. Immutable once loaded: a reload builds a new one.
public struct GatewayConfig: Sendable {
    /// The path as given to the loader, for messages.
    public var file: String
    public var server: ServerConfig
    public var admin: AdminConfig
    public var store: StoreLocation
    /// Only those written in the file, in file order; built-ins without an entry are implied.
    public var providers: [ProviderConfig]
    /// "provider/model" -> price, overriding the built-in table.
    public var pricing: [String: Price]
    public var routes: [RouteConfig]
    /// `model_groups:` and `health:` (docs/routing.md).
    public var routing = RoutingConfig()
    /// The top-level sections plugins own, by key; read them with `section(_:)`.
    public var sections: [String: any ConfigSection]
    public var warnings: [ConfigDiagnostic]

    public init(
        file: String, server: ServerConfig = ServerConfig(), admin: AdminConfig = AdminConfig(),
        store: StoreLocation = .memory, providers: [ProviderConfig] = [], sections: [String: any ConfigSection] = [:],
        pricing: [String: Price] = [:], routes: [RouteConfig] = [], warnings: [ConfigDiagnostic] = []
    ) {
        self.file = file
        self.server = server
        self.admin = admin
        self.store = store
        self.providers = providers
        self.sections = sections
        self.pricing = pricing
        self.routes = routes
        self.warnings = warnings
    }

    /// The entry for `name` in `providers:`, if the file has one.
    public func provider(named name: String) -> ProviderConfig? {
        providers.first { $0.name == name }
    }
}
