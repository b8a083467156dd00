import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import TollgateConfig

/// The operators' listener (`admin.listen`): /health, /metrics, /admin/*. Kept apart from the
/// client listener so it can be firewalled, and so scraping never competes with traffic.
public final class AdminServer: Sendable {
    let routes: AdminRoutes
    let token: @Sendable () -> String?
    private let channel = Mutex<(any Channel)?>(nil)

    /// `token` is read per request so that a reload can change it.
    public init(routes: AdminRoutes, token: @escaping @Sendable () -> String?) {
        self.routes = routes
        self.token = token
    }

    public func start(group: any EventLoopGroup, listen: HostPort) async throws -> SocketAddress {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                do {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(AdminHandler(server: self))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        let ch = try await bootstrap.bind(host: listen.host, port: listen.port).get()
        channel.withLock { $0 = ch }
        guard let address = ch.localAddress else { throw ServerError.notBound }
        return address
    }

    public func stop() async {
        let ch = channel.withLock { c -> (any Channel)? in
            defer { c = nil }
            return c
        }
        try? await ch?.close()
    }

    func handle(_ req: AdminRequest) async -> AdminResponse {
        if req.path.hasPrefix("/admin/"), let t = token(), !t.isEmpty {
            let given = req.headers.first(name: "authorization") ?? ""
            guard constantTimeEqual(given, "Bearer " + t) else {
                return AdminResponse(status: .unauthorized, json: #"{"error":{"message":"admin token required","type":"authentication_error"}}"#)
            }
        }
        guard let h = routes.handler(for: req.path) else {
            return AdminResponse(status: .notFound, json: #"{"error":{"message":"not found","type":"not_found_error"}}"#)
        }
        return await h(req)
    }
}

/// Compares secrets without leaking, through timing, how much of a guess was right.
public func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    var diff = UInt8(truncatingIfNeeded: x.count ^ y.count)
    for i in 0..<max(x.count, y.count) {
        let p = i < x.count ? x[i] : 0
        let q = i < y.count ? y[i] : 0
        diff |= p ^ q
    }
    return diff == 0
}

final class AdminHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let server: AdminServer
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(server: AdminServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
        case .body(let b):
            if body.count < 1 << 20 { body += b.readableBytesView }
        case .end:
            guard let h = head else { return }
            head = nil
            let (path, rawQuery) = RequestURI.split(h.uri)
            var query: [String: String] = [:]
            if let rawQuery {
                for kv in rawQuery.split(separator: "&") {
                    let p = kv.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    query[String(p[0]).removingPercentEncodingLoosely] = p.count > 1 ? String(p[1]).removingPercentEncodingLoosely : ""
                }
            }
            let req = AdminRequest(method: h.method, path: String(path), query: query, headers: h.headers, body: body)
            let keepAlive = h.isKeepAlive
            let server = self.server
            let loop = context.eventLoop
            let bound = NIOLoopBound(context, eventLoop: loop)
            let future = loop.makeFutureWithTask { await server.handle(req) }
            future.whenComplete { result in
                let context = bound.value
                let res: AdminResponse
                switch result {
                case .success(let r): res = r
                case .failure: res = AdminResponse(status: .internalServerError, json: #"{"error":{"message":"internal error"}}"#)
                }
                var headers = HTTPHeaders()
                headers.add(name: "content-type", value: res.contentType)
                headers.add(name: "content-length", value: String(res.body.count))
                if !keepAlive { headers.add(name: "connection", value: "close") }
                context.write(NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: res.status, headers: headers))), promise: nil)
                context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: res.body)))), promise: nil)
                // On the channel's loop (whenComplete runs there): no hop, hence assumeIsolated.
                context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).assumeIsolated().whenComplete { _ in
                    if !keepAlive { context.close(promise: nil) }
                }
            }
        }
    }
}

extension String {
    /// Percent-decoding for query values; invalid escapes are kept as they are.
    var removingPercentEncodingLoosely: String {
        guard contains("%") || contains("+") else { return self }
        var out: [UInt8] = []
        var it = Array(utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "+") { out.append(0x20); continue }
            if c == UInt8(ascii: "%"), it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                it = it.dropFirst(2)
                continue
            }
            out.append(c)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
