/// A whole routes.yaml, validated. Immutable once loaded: a reload builds a new one.
public struct GatewayConfig: Sendable {
    /// The path as given to the loader, for messages.
    public var file: String
    public var server: ServerConfig
    public var admin: AdminConfig
    public var store: StoreLocation
    /// Only those written in the file, in file order; built-ins without an entry are implied.
    public var providers: [ProviderConfig]
    public var virtualKeys: [VirtualKeyConfig]
    /// "provider/model" -> price, overriding the built-in table.
    public var pricing: [String: Price]
    public var routes: [RouteConfig]
    public var warnings: [ConfigDiagnostic]

    public init(
        file: String, server: ServerConfig = ServerConfig(), admin: AdminConfig = AdminConfig(),
        store: StoreLocation = .memory, providers: [ProviderConfig] = [], virtualKeys: [VirtualKeyConfig] = [],
        pricing: [String: Price] = [:], routes: [RouteConfig] = [], warnings: [ConfigDiagnostic] = []
    ) {
        self.file = file
        self.server = server
        self.admin = admin
        self.store = store
        self.providers = providers
        self.virtualKeys = virtualKeys
        self.pricing = pricing
        self.routes = routes
        self.warnings = warnings
    }

    /// The entry for `name` in `providers:`, if the file has one.
    public func provider(named name: String) -> ProviderConfig? {
        providers.first { $0.name == name }
    }
}
