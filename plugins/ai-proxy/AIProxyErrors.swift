import TollgateCore
import TollgateProtocols

enum AIProxyErrors {
    /// A path under a prefix route that no surface serves (an unknown Gemini method included):
    /// a 404 in the error shape of the path's API family, and nothing is sent upstream.
    static func noSurface(_ ctx: RequestContext) -> GatewayError {
        GatewayError(status: 404, kind: .notFound, message: "no API at \(ctx.head.method.rawValue) \(ctx.path)")
    }
}
