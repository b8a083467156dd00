import NIOCore
import NIOHTTP1
import TollgateConfig
import TollgateProtocols

/// Reads requests off one client connection and answers them, one at a time. It sits right
/// after NIO's HTTP codec: no pipelining helper or error handler in between, since each extra
/// handler costs a type cast per message part and the helper also re-registers the socket for
/// reading on every request. Their two jobs are done here instead: a request pipelined behind
/// one still being answered waits in `queued`, and a request NIO cannot parse gets a 400.
final class GatewayHandler: ChannelInboundHandler, ResponseSink, Slotted {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        /// The body gathers in `body`, outside the enum (see there).
        case receiving(HTTPRequestHead, GatewayRuntime)
        /// The body is over the limit: a 413 went out and the rest of the body is ignored.
        case discarding
        /// The dispatcher is nil only while its first phases run (see `dispatch`).
        case running(Dispatcher?)
    }

    private let server: GatewayServer
    private let connections: ClientConnections
    private var state = State.idle
    private var context: ChannelHandlerContext?
    private var keepAlive = true
    /// The request body being read. A stored property, not part of `State`: appended there, it
    /// was shared with the value the pattern match bound and copied whole on every part
    /// (quadratic: a 16 MiB body took 5 s of CPU).
    private var body: ByteBuffer?
    /// Parts of pipelined requests that arrived while an answer was still going out.
    private var queued = CircularBuffer<HTTPServerRequestPart>()
    private var replaying = false
    private var readPaused = false
    /// NIO could not parse what followed the requests being answered: a 400 goes out once
    /// they have their answers, and the connection closes.
    private var malformedAfterQueue: (any Error)?
    /// Past this many queued parts the socket is not read until the queue drains.
    private static let maxQueued = 64

    // Client timeouts (`ClientConnections` looks at these once a second).
    var slot = -1
    private var limits: ServerLimits
    /// Since when the connection waits for a request head: its start, or the last answer's end.
    private var idleSince = NIODeadline.now()
    /// Bytes of the next head have arrived (a read that made no request of them).
    private var headStarted: NIODeadline?
    /// The current read made part of a request (a head, a body part, an end): its bytes were
    /// a request's, not the start of the next one's head.
    private var partsThisRead = false
    private var lastBodyRead = NIODeadline.now()
    private var unwritableSince: NIODeadline?
    private var servedAny = false
    private var draining = false
    /// The answer went out and our side is closed; what the client still sends is read and
    /// dropped until it closes too, or until this deadline (nginx's lingering close).
    private var lingerUntil: NIODeadline?
    static let lingerTime = TimeAmount.seconds(5)
    /// During a drain an idle connection gets this long for a request already on its way.
    static let drainGrace = TimeAmount.milliseconds(500)

    init(server: GatewayServer, connections: ClientConnections) {
        self.server = server
        self.connections = connections
        self.limits = server.runtime.current.config.server.limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        server.connectionOpened()
        connections.add(self)
        if connections.draining { beginDrain() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        connections.remove(self)
        server.connectionClosed()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if lingerUntil != nil { return }
        let part = unwrapInboundIn(data)
        partsThisRead = true
        if isRunning || !queued.isEmpty {
            enqueue(part, context: context)
        } else {
            receive(part, context: context)
        }
    }

    private func receive(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            keepAlive = head.isKeepAlive && !draining
            headStarted = nil
            lastBodyRead = .now()
            let runtime = server.runtime.current
            limits = runtime.config.server.limits
            // RFC 9112 §3.2: an HTTP/1.1 request without exactly one Host is a 400.
            if head.version.major == 1, head.version.minor >= 1, !Self.hasOneHost(head.headers) {
                answerMalformed(path: RequestURI.split(head.uri).path, "an HTTP/1.1 request needs exactly one Host header")
                return
            }
            let limit = runtime.config.server.maxBodyBytes
            if let len = head.headers.first(name: "content-length").flatMap(Int.init), len > limit {
                rejectTooLarge(head, limit: limit)
                return
            }
            body = nil
            state = .receiving(head, runtime)
        case .body(var part):
            guard case .receiving(let head, let runtime) = state else { return }
            lastBodyRead = .now()
            let limit = runtime.config.server.maxBodyBytes
            if (body?.readableBytes ?? 0) + part.readableBytes > limit {
                body = nil
                rejectTooLarge(head, limit: limit)
                return
            }
            // A body that arrives in one part (the usual one) is kept as NIO read it: no
            // allocation, no copy. A second part starts a buffer of the announced length.
            guard body != nil else {
                body = part
                return
            }
            if let b = body, b.readableBytes + part.readableBytes > b.capacity - b.readerIndex {
                let announced = head.headers.first(name: "content-length").flatMap(Int.init).map { min($0, limit) } ?? 0
                var grown = context.channel.allocator.buffer(capacity: max(announced, b.readableBytes + part.readableBytes))
                var old = b
                body = nil
                grown.writeBuffer(&old)
                body = grown
            }
            body?.writeBuffer(&part)
        case .end:
            switch state {
            case .receiving(let head, let runtime):
                let b = body ?? ByteBuffer()
                body = nil
                dispatch(head, b, runtime, context: context)
            case .discarding:
                state = .idle
            default:
                break
            }
        }
    }

    private func enqueue(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        queued.append(part)
        if queued.count > Self.maxQueued, !readPaused {
            readPaused = true
            try? context.channel.syncOptions?.setOption(.autoRead, value: false)
        }
    }

    /// Feeds queued parts through `receive` until one request is running again. Runs when an
    /// answer is complete; `replaying` keeps a request answered synchronously (a 404, a plugin's
    /// rejection) from re-entering the loop.
    private func replayQueued() {
        guard let context, !replaying else { return }
        guard keepAlive else {
            queued.removeAll()  // the connection closes after this answer
            return
        }
        replaying = true
        defer { replaying = false }
        while !isRunning, lingerUntil == nil, let part = queued.popFirst() {
            receive(part, context: context)
        }
        if !isRunning, queued.isEmpty, let error = malformedAfterQueue {
            malformedAfterQueue = nil
            answerMalformed(path: "/", "malformed HTTP request: \(error)")
            return
        }
        if readPaused, queued.isEmpty {
            readPaused = false
            try? context.channel.syncOptions?.setOption(.autoRead, value: true)
        }
    }

    private var isRunning: Bool {
        if case .running = state { return true }
        return false
    }

    private func rejectTooLarge(_ head: HTTPRequestHead, limit: Int) {
        refuse(GatewayError(status: 413, kind: .requestTooLarge, message: "request body is larger than \(limit) bytes"), head: head)
    }

    /// A request that cannot be served at all (unparseable, no Host): 400, then close.
    private func answerMalformed(path: Substring, _ message: String) {
        queued.removeAll()
        refuse(GatewayError(status: 400, kind: .invalidRequest, message: message), path: path, requestID: RequestID.make())
    }

    private func refuse(_ error: GatewayError, head: HTTPRequestHead) {
        refuse(error, path: RequestURI.split(head.uri).path, requestID: head.headers.first(name: "x-request-id") ?? RequestID.make())
    }

    /// Answers `error` in the protocol the path suggests and closes, lingering so the client
    /// reads the answer; what it still sends of this request is dropped.
    private func refuse(_ error: GatewayError, path: Substring, requestID: String) {
        state = .discarding
        keepAlive = false
        let (status, headers, body) = ErrorBody.render(error, as: Route.guessProtocol(path))
        write(status, headers, body, requestID: requestID, linger: true)
    }

    /// One `Host` field: compared on bytes, since a request's usual ten headers would
    /// otherwise each be lowercased.
    private static func hasOneHost(_ headers: HTTPHeaders) -> Bool {
        var n = 0
        for (name, _) in headers {
            var name = name
            let isHost = name.utf8.count == 4 && name.withUTF8 { b in
                b[0] | 0x20 == UInt8(ascii: "h") && b[1] | 0x20 == UInt8(ascii: "o") && b[2] | 0x20 == UInt8(ascii: "s")
                    && b[3] | 0x20 == UInt8(ascii: "t")
            }
            if isHost { n += 1 }
        }
        return n == 1
    }

    private func dispatch(_ head: HTTPRequestHead, _ body: ByteBuffer, _ runtime: GatewayRuntime, context: ChannelHandlerContext) {
        guard let pool = server.services.pools?.pool(for: context.eventLoop) else { return }
        // Set before the phases start: a request answered at once (a 404, a plugin's refusal)
        // is done before `begin` returns.
        state = .running(nil)
        server.requestStarted()
        guard let d = Dispatcher.begin(head: head, body: body, runtime: runtime, eventLoop: context.eventLoop, pool: pool, sink: self) else {
            return
        }
        if case .running = state { state = .running(d) }
    }

    private var dispatcher: Dispatcher? {
        if case .running(let d) = state { return d }
        return nil
    }

    // MARK: ResponseSink: framing and writing only; the Dispatcher ran the phases

    func writeHead(_ head: consuming HTTPResponseHead) {
        guard let context else { return }
        if !keepAlive { head.headers.replaceOrAdd(name: "connection", value: "close") }
        frame(&head, length: nil)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
    }

    func writeBody(_ part: ByteBuffer) {
        context?.write(wrapOutboundOut(.body(.byteBuffer(part))), promise: nil)
    }

    func flush() { context?.flush() }

    func writeEnd() {
        guard let context else { return }
        state = .idle
        writeEnd(context)
    }

    func writeWhole(_ head: consuming HTTPResponseHead, _ body: ByteBuffer) {
        state = .idle
        if !keepAlive { head.headers.replaceOrAdd(name: "connection", value: "close") }
        write(consume head, body)
    }

    /// Ends the answer; a promise (an allocation) only when the connection closes after it.
    /// `linger`: the client may still be sending (a body we refused), and closing a socket
    /// with unread input resets it, losing the answer: close our side only, read and drop the
    /// rest for a while.
    private func writeEnd(_ context: ChannelHandlerContext, linger: Bool = false) {
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else if linger {
            lingerUntil = .now() + Self.lingerTime
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(mode: .output).assumeIsolated().whenFailure { _ in context.close(promise: nil) }
            }
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }

    func cut(last: ByteBuffer?) {
        guard let context else { return }
        state = .idle
        keepAlive = false
        if let last, last.readableBytes > 0 {
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(last)))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        } else {
            context.flush()
            context.close(promise: nil)
        }
    }

    func requestDone() {
        if case .running = state { state = .idle }
        server.requestFinished()
        servedAny = true
        idleSince = .now()
        headStarted = nil
        if !queued.isEmpty || malformedAfterQueue != nil { replayQueued() }
    }

    private func write(_ status: HTTPResponseStatus, _ headers: consuming HTTPHeaders, _ body: ByteBuffer, requestID: String, linger: Bool = false) {
        headers.replaceOrAdd(name: "x-request-id", value: requestID)
        if !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        write(HTTPResponseHead(version: .http1_1, status: status, headers: headers), body, linger: linger)
    }

    /// A whole answer, framed by its length.
    private func write(_ head: consuming HTTPResponseHead, _ body: ByteBuffer, linger: Bool = false) {
        guard let context else { return }
        frame(&head, length: body.readableBytes)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        writeEnd(context, linger: linger)
    }

    /// The encoder leaves framing to us (`GatewayServer.responseFraming`). A whole answer gets
    /// its `length`; a relayed one keeps the provider's `content-length` or goes chunked; 1xx,
    /// 204 and 304 carry neither. A provider's `transfer-encoding` never gets here: it is
    /// hop-by-hop, dropped with the others.
    private func frame(_ head: inout HTTPResponseHead, length: Int?) {
        if !head.status.mayHaveResponseBody {
            head.headers.remove(name: "content-length")
        } else if let length {
            head.headers.replaceOrAdd(name: "content-length", value: String(length))
        } else if !head.headers.contains(name: "content-length") {
            head.headers.append([("transfer-encoding", "chunked")])
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        unwritableSince = writable ? nil : .now()
        dispatcher?.exchange?.clientWritabilityChanged(writable)
        context.fireChannelWritabilityChanged()
    }

    /// A read that made no request: the bytes of a head are arriving, and from now on the head
    /// timeout runs (a client sending one byte a second never completes it).
    func channelReadComplete(context: ChannelHandlerContext) {
        if !partsThisRead, headStarted == nil, case .idle = state, queued.isEmpty { headStarted = .now() }
        partsThisRead = false
        context.fireChannelReadComplete()
    }

    // MARK: timeouts and drain (called by `ClientConnections` on this loop)

    func checkTimeouts(_ now: NIODeadline) {
        if let lingerUntil {
            if now >= lingerUntil { closeNow() }
            return
        }
        switch state {
        case .idle:
            guard queued.isEmpty else { return }
            if draining, now - idleSince >= Self.drainGrace, headStarted == nil {
                closeNow()
            } else if let started = headStarted {
                if now - started > Self.span(limits.clientHeaderTimeout) { closeNow() }
            } else if now - idleSince > Self.span(servedAny ? limits.keepaliveTimeout : limits.clientHeaderTimeout) {
                closeNow()
            }
        case .receiving(let head, _):
            if now - lastBodyRead > Self.span(limits.clientBodyTimeout) {
                refuse(GatewayError(status: 408, kind: .timeout, message: "the request body did not arrive within \(limits.clientBodyTimeout) s"), head: head)
            }
        case .running:
            // The client reads nothing of its answer: the exchange has paused its provider, and
            // both would wait forever.
            if let since = unwritableSince, now - since > Self.span(limits.sendTimeout) { closeNow() }
        case .discarding:
            break
        }
    }

    /// The server is stopping: answers from now on say `connection: close` and end the
    /// connection; an idle connection closes once `drainGrace` shows no request was on its way.
    func beginDrain() {
        draining = true
        keepAlive = false
    }

    private static func span(_ seconds: Double) -> TimeAmount { .nanoseconds(Int64(seconds * 1_000_000_000)) }

    func closeNow() {
        lingerUntil = nil
        context?.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .running(let d) = state {
            state = .idle
            d?.clientGone()
            server.requestFinished()
        }
        context.fireChannelInactive()
    }

    /// NIO's decoder could not parse the request: answer 400 if nothing is being answered yet
    /// (what NIO's error handler would do, in the caller's protocol), then close.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError, lingerUntil == nil else {
            context.close(promise: nil)
            return
        }
        // Requests read before the bad bytes are answered first, in order; the 400 comes last.
        if isRunning || !queued.isEmpty {
            malformedAfterQueue = error
            return
        }
        let path: Substring
        if case .receiving(let head, _) = state { path = RequestURI.split(head.uri).path } else { path = "/" }
        answerMalformed(path: path, "malformed HTTP request: \(error)")
    }
}
