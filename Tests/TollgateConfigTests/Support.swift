import Foundation
import Testing

@testable import TollgateConfig

/// Parses `yaml` as file "r.yaml" in directory "/etc/tg".
func load(_ yaml: String, env: [String: String] = [:]) throws(ConfigErrors) -> GatewayConfig {
    try ConfigLoader.parse(yaml: yaml, file: "r.yaml", baseDirectory: "/etc/tg", environment: env)
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
