// nio-floor UPSTREAM_PORT LISTEN_PORT — see Package.swift. Loopback only.
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOPosix

guard CommandLine.arguments.count == 3, let upstreamPort = Int(CommandLine.arguments[1]),
    let listenPort = Int(CommandLine.arguments[2])
else {
    print("usage: nio-floor UPSTREAM_PORT LISTEN_PORT")
    exit(2)
}

/// Relays the upstream's answer to the client connection that owns this upstream connection.
final class UpstreamRelay: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    weak var client: ClientConnection?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        client?.relay(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) { client?.flush() }
}

/// One client connection; it opens one upstream connection on its own loop and keeps it.
final class ClientConnection: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let upstreamPort: Int
    private var context: ChannelHandlerContext?
    private var upstream: Channel?
    private let relayHandler = UpstreamRelay()
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(upstreamPort: Int) { self.upstreamPort = upstreamPort }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = context.channel.allocator.buffer(capacity: 512)
        case .body(var b):
            body.writeBuffer(&b)
        case .end:
            if let upstream {
                send(upstream)
                return
            }
            relayHandler.client = self
            let relay = relayHandler
            ClientBootstrap(group: context.eventLoop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        try ch.pipeline.syncOperations.addHTTPClientHandlers(enableOutboundHeaderValidation: false)
                        try ch.pipeline.syncOperations.addHandler(relay)
                    }
                }
                .connect(host: "127.0.0.1", port: upstreamPort)
                .whenComplete { result in
                    switch result {
                    case .success(let ch):
                        self.upstream = ch
                        self.send(ch)
                    case .failure:
                        context.close(promise: nil)
                    }
                }
        }
    }

    private func send(_ ch: Channel) {
        guard var h = head else { return }
        h.headers.replaceOrAdd(name: "host", value: "127.0.0.1")
        ch.write(HTTPClientRequestPart.head(h), promise: nil)
        ch.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil)
        ch.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }

    func relay(_ part: HTTPClientResponsePart) {
        guard let context else { return }
        switch part {
        case .head(let h):
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: h.status, headers: h.headers))), promise: nil)
        case .body(let b):
            context.write(wrapOutboundOut(.body(.byteBuffer(b))), promise: nil)
        case .end:
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    func flush() { context?.flush() }

    func channelInactive(context: ChannelHandlerContext) {
        upstream?.close(promise: nil)
        context.fireChannelInactive()
    }
}

let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
let server = try ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { ch in
        ch.eventLoop.makeCompletedFuture {
            try ch.pipeline.syncOperations.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false)
            try ch.pipeline.syncOperations.addHandler(ClientConnection(upstreamPort: upstreamPort))
        }
    }
    .bind(host: "127.0.0.1", port: listenPort).wait()
try server.closeFuture.wait()
