import AsyncHTTPClient
import TollgateCore

/// The process's one AsyncHTTPClient for calls off the request path (providers' model lists,
/// the semantic cache's embeddings): made on first use, on the gateway's event loops, and shut
/// down with the gateway.
enum SideHTTPClient {
    static func shared(_ services: GatewayServices) -> HTTPClient {
        services.shared("side-http-client") {
            let made = HTTPClient(eventLoopGroupProvider: .shared(services.group))
            services.onShutdown { try? await made.shutdown() }
            return made
        }
    }
}
