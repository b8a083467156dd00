import NIOCore
import TollgateCore
import TollgateJSON
import TollgateProtocols

/// How one call's body is made from the client's and how its answer comes back: chosen once per
/// call (the target and each fallback may speak another protocol) from the inbound and provider
/// protocols, before anything is built.
protocol CallStrategy: Sendable {
    func prepare(_ call: CallFacts, _ ctx: RequestContext) throws(GatewayError) -> PreparedCall
}

/// What a strategy needs to know about the call it prepares.
struct CallFacts {
    var target: ResolvedTarget
    var config: AIProxyConfig
    var surface: Surface
    var inbound: WireProtocol
    var outbound: WireProtocol
    var stream: Bool
}

struct PreparedCall {
    var body: ByteBuffer
    var transformer: any ResponseTransformer
}

enum CallStrategies {
    static func choose(surface: Surface, inbound: WireProtocol, outbound: WireProtocol) -> any CallStrategy {
        if inbound == outbound { return PassthroughStrategy() }
        if surface == .openAIEmbeddings || surface == .genaiEmbed { return EmbeddingsStrategy() }
        if surface.isTokenCount { return CountTokensStrategy() }
        return TranslateStrategy()
    }

    /// The route's `options`, written over the provider-bound body.
    static func apply(_ options: JSONObject, to body: inout JSON) {
        for (k, v) in options { body[k] = v }
    }
}
