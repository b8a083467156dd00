import NIOCore

/// Where bytes become HTTP messages, on both sides of the gateway. Everything above it — the
/// client handler, the Dispatcher, the upstream exchange — speaks NIO's HTTP part enums
/// (`HTTPServerRequestPart`/`HTTPServerResponsePart` towards clients,
/// `HTTPClientRequestPart`/`HTTPClientResponsePart` towards providers) and never a codec or a
/// socket option, so another wire (NIO's HTTP/2-to-HTTP/1 codecs produce the same parts) is a new
/// conformance here and nothing else.
///
/// Both methods run in a channel initializer, on the channel's loop, once per connection.
public protocol ServerWire: Sendable {
    /// Makes a freshly accepted client connection read requests and write answers as parts.
    /// The answer's framing (a length or chunked) is decided above and must be left as written.
    func addServerCodec(to pipeline: ChannelPipeline.SynchronousOperations) throws
}

public protocol UpstreamWire: Sendable {
    /// Makes a fresh connection to `host` write requests and read answers as parts; `tls` is
    /// the scheme of the provider's URL.
    func addClientCodec(to pipeline: ChannelPipeline.SynchronousOperations, tls: Bool, host: String) throws
}

enum WireError: Error, CustomStringConvertible {
    case tlsUnavailable

    var description: String {
        switch self {
        case .tlsUnavailable: return "TLS is not available"
        }
    }
}
