import NIOCore
import NIOHTTP1
import NIOSSL

/// HTTP/1.1 towards providers: NIOHTTP1's client codecs, behind NIOSSL for `https` URLs.
public struct HTTP1UpstreamWire: UpstreamWire {
    private let tls: NIOSSLContext?

    /// With the system's trust roots; `tls: false` for a wire that reaches plain-HTTP providers only.
    public init(tls: Bool = true) throws {
        self.tls = tls ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
    }

    /// Every request carries its `content-length` (`UpstreamCall.init`), so NIO's encoder need
    /// not check the framing: that check changes the head and copies its header block.
    static let requestFraming: HTTPRequestEncoder.Configuration = {
        var c = HTTPRequestEncoder.Configuration()
        c.automaticallySetFramingHeaders = false
        return c
    }()

    public func addClientCodec(to pipeline: ChannelPipeline.SynchronousOperations, tls useTLS: Bool, host: String) throws {
        if useTLS {
            guard let tls else { throw WireError.tlsUnavailable }
            // SNI only for names: an IP address is not a valid server name.
            let isIP = host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" }
            try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: isIP ? nil : host))
        }
        // Header validation off, as on the server side: see HTTP1ServerWire.
        try pipeline.addHTTPClientHandlers(enableOutboundHeaderValidation: false, encoderConfiguration: Self.requestFraming)
    }
}
