import NIOCore
import NIOHTTP1
import NIOSSL
import TollgateConfig

/// HTTP/1.1 towards clients: NIOHTTP1's codecs, behind NIOSSL when the listener has TLS files.
public struct HTTP1ServerWire: ServerWire {
    private let tls: NIOSSLContext?

    /// Reads the certificate and key now, so a bad file fails the start, not the first client.
    public init(tls files: TLSFiles?) throws {
        tls = try files.map { files in
            let cert = try NIOSSLCertificate.fromPEMFile(files.cert)
            let key = try NIOSSLPrivateKey(file: files.key, format: .pem)
            return try NIOSSLContext(configuration: .makeServerConfiguration(
                certificateChain: cert.map { .certificate($0) }, privateKey: .privateKey(key)))
        }
    }

    /// The client handler frames every answer itself (a length, or chunked when it has none),
    /// so NIO's encoder does not look: its check removes `transfer-encoding` from every head,
    /// and that change copies the whole header block (the pipeline still holds the head).
    static let responseFraming: HTTPResponseEncoder.Configuration = {
        var c = HTTPResponseEncoder.Configuration()
        c.automaticallySetFramingHeaders = false
        return c
    }()

    public func addServerCodec(to pipeline: ChannelPipeline.SynchronousOperations) throws {
        if let tls { try pipeline.addHandler(NIOSSLServerHandler(context: tls)) }
        // No pipelining helper, no error handler: the client handler does both. Outbound header
        // validation is off: every header we write was parsed by NIO or checked when the config
        // was loaded or the model resolved (`HeaderSafety`).
        try pipeline.configureHTTPServerPipeline(
            withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false,
            withEncoderConfiguration: Self.responseFraming)
    }
}
