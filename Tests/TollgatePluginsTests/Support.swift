import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import TollgateConfig
import TollgateCore
import TollgateProtocols
@testable import TollgatePlugins

/// A config, loaded and built as `serve` would (no store, no pools).
struct TestGateway {
    let config: GatewayConfig
    let services: GatewayServices
    let runtime: GatewayRuntime

    init(_ yaml: String, env: [String: String] = [:], services: GatewayServices? = nil) throws {
        config = try ConfigLoader.parse(yaml: yaml, file: "test.yaml", baseDirectory: "/tmp", environment: env, sections: PluginRegistry.sections)
        self.services = services ?? GatewayServices(
            group: MultiThreadedEventLoopGroup.singleton, pools: nil, logger: .init(label: "test"), store: nil)
        runtime = try GatewayRuntime.build(config: config, services: self.services, factories: PluginRegistry.factories, environment: env)
    }

    /// A request as the server would hand it to the pipeline.
    func request(
        _ path: String = "/v1/chat/completions", method: HTTPMethod = .POST, headers: [(String, String)] = [],
        body: String = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#
    ) throws -> RequestContext {
        let route = try require(runtime.router.match(path: Substring(path), method: method, host: nil), "no route for \(path)")
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: HTTPHeaders(headers))
        return RequestContext(
            requestID: "test", head: head, body: ByteBuffer(string: body), route: route,
            eventLoop: MultiThreadedEventLoopGroup.singleton.next(), runtime: runtime)
    }

    func plugin<P: Plugin>(_ type: P.Type, route: String = "chat") throws -> P {
        let r = try require(runtime.router.match(path: Substring(routePath(route)), method: .POST, host: nil), "route \(route)")
        return try require(r.plugins.compactMap { $0 as? P }.first, "plugin \(P.self)")
    }

    private func routePath(_ id: String) -> String {
        config.routes.first { $0.id == id }?.uri ?? "/v1/chat/completions"
    }
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let t = NIOLockedValueBox<Double>(1_800_000_000)
    var now: Double { t.withLockedValue { $0 } }
    func advance(_ s: Double) { t.withLockedValue { $0 += s } }
    func set(_ s: Double) { t.withLockedValue { $0 = s } }
}

extension PhaseResult {
    var isNext: Bool { if case .next = self { return true }; return false }
    var error: GatewayError? {
        if case .respond(.error(let e)) = self { return e }
        return nil
    }
}

/// `#require` for optionals in a plain helper (outside a @Test), thrown as an error.
struct Missing: Error, CustomStringConvertible { var description: String }
func require<T>(_ v: T?, _ what: String) throws -> T {
    guard let v else { throw Missing(description: what) }
    return v
}
