import NIOCore
import NIOHTTP1
import TollgateProtocols

/// An answer the gateway makes itself (an error, a stored async result, a model list), as
/// opposed to one relayed from upstream.
public enum GatewayResponse: Sendable {
    /// Encoded in the route's inbound protocol's error shape by the dispatcher.
    case error(GatewayError)
    case json(status: HTTPResponseStatus, body: [UInt8], headers: HTTPHeaders)

    public static func json(_ body: [UInt8], status: HTTPResponseStatus = .ok) -> GatewayResponse {
        .json(status: status, body: body, headers: HTTPHeaders())
    }
}
