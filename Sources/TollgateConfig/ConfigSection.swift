/// A top-level section of routes.yaml that a plugin owns (governance's `virtual_keys`). The
/// plugin's type is handed to the loader, which decodes it with the core's sections, once per
/// load: its errors come in the same pass, in file order, at their `FILE:LINE:COL`.
public protocol ConfigSection: Sendable {
    static var key: String { get }
    /// `node` is nil when the file has no such section.
    init(decoding node: ConfigNode?, _ d: inout Diagnostics)
    /// Values in it that must never appear in a log line, a row or an answer (secrets).
    var secrets: [String] { get }
    /// Credentials a client presents to the gateway itself (virtual keys): never taken for a
    /// client's own provider key, never forwarded.
    var clientCredentials: [String] { get }
}

extension ConfigSection {
    public var secrets: [String] { [] }
    public var clientCredentials: [String] { [] }
}

extension GatewayConfig {
    /// The decoded section of type `S`, if the loader was given `S` (an absent section decodes
    /// as empty, so a plugin's section is there whenever the plugin is registered).
    public func section<S: ConfigSection>(_ type: S.Type) -> S? {
        sections[S.key] as? S
    }
}
