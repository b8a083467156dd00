import Foundation
import Testing

@testable import TollgateConfig

/// Stands for a plugin's own top-level section (governance owns `virtual_keys`; its tests
/// decode it): the loader must accept the key and hand the node over.
struct PluginSectionStub: ConfigSection {
    static let key = "virtual_keys"
    var node: ConfigNode?
    init(decoding node: ConfigNode?, _ d: inout Diagnostics) { self.node = node }
}

/// Parses `yaml` as file "r.yaml" in directory "/etc/tg".
func load(_ yaml: String, env: [String: String] = [:]) throws(ConfigErrors) -> GatewayConfig {
    try ConfigLoader.parse(yaml: yaml, file: "r.yaml", baseDirectory: "/etc/tg", environment: env, sections: [PluginSectionStub.self])
}

/// The error lines loading `yaml` gives, or [] if it loads.
func errors(_ yaml: String, env: [String: String] = [:]) -> [String] {
    do {
        _ = try load(yaml, env: env)
        return []
    } catch {
        return error.errors.map(\.description)
    }
}

/// The repository root, found from this file (Tests/TollgateConfigTests/Support.swift). The
/// path is resolved through symlinks so a scratch package that links this folder still finds it.
func repoRoot() -> String {
    let here = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}

enum FileManagerTemp {
    /// A fresh temporary directory.
    static func make() -> String {
        let path = NSTemporaryDirectory() + "tollgate-config-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}
