import NIOCore
import NIOHTTP1
import TollgateProtocols

/// One request's conversation with its provider: connect (or reuse), send, relay the answer
/// part by part, time out. Which call comes next after a failure is `UpstreamAttempts`'s rule;
/// the timeouts are checked by the loop's `DeadlineSweep`. Lives on the request's event loop.
final class UpstreamExchange: UpstreamResponseDelegate, Slotted {
    private enum State {
        case connecting
        case awaitingHead
        case streaming
        /// The body gathers in `buffered`, outside the enum (see `appendBuffered`).
        case buffering(HTTPResponseStatus, HTTPHeaders)
        case done
    }

    private let ctx: RequestContext
    /// Strong (a weak reference costs each request a side-table allocation); the dispatcher
    /// lets go of the exchange when the request ends, which ends the cycle.
    private var client: (any ClientResponder)?
    private let pool: ConnectionPool
    private var attempts: UpstreamAttempts
    private var state = State.connecting
    private var conn: UpstreamConnection?
    private var lastActivity = NIODeadline.now()
    /// The current call's timeout, kept here for the loop's deadline sweep.
    private var timeout = TimeAmount.zero
    /// This exchange's place in its loop's `DeadlineSweep` (-1: not watched).
    var slot = -1
    /// Outside the state enum: see `BufferedAnswer.append`.
    private var buffered: BufferedAnswer
    /// The current attempt's start, and the group target's numbers it counts in.
    private var attemptStart = NIODeadline.now()
    private var counted: TargetStats?

    init(ctx: RequestContext, plan: UpstreamPlan, client: any ClientResponder, pool: ConnectionPool) {
        self.ctx = ctx
        self.client = client
        self.pool = pool
        self.attempts = UpstreamAttempts(plan)
        self.buffered = BufferedAnswer(limit: ctx.runtime.config.server.maxBufferedAnswerBytes)
    }

    private var call: UpstreamCall { attempts.current }

    func start() {
        guard !attempts.isEmpty else {
            finishWithError(GatewayError(status: 500, kind: .apiError, message: "no upstream to call"))
            return
        }
        attempt()
    }

    private func attempt() {
        endAttempt()
        state = .connecting
        ctx.target = call.target
        if attempts.index > 0 { ctx.runtime.health.countRetry(call.target.qualified) }
        if let s = call.stats {
            // Only a group's target keeps a time to first byte.
            attemptStart = .now()
            s.started()
            counted = s
        }
        if ctx.upstreamStart == nil { ctx.upstreamStart = .now() }
        watchDeadline()
        if let c = pool.takeIdle(call.url) {
            send(on: c)
            return
        }
        pool.connect(call.url, connectTimeout: call.timeout) { [self] result in
            guard case .connecting = state else {
                // Cancelled or timed out while connecting: the connection is not ours to use.
                if case .success(let c) = result { pool.release(c) }
                return
            }
            switch result {
            case .failure(let error):
                failBeforeAnswer(GatewayError(status: 502, kind: .apiError, message: "upstream \(call.url.hostHeader) unreachable: \(error)"))
            case .success(let c):
                send(on: c)
            }
        }
    }

    private func send(on c: UpstreamConnection) {
        conn = c
        c.handler.delegate = self
        state = .awaitingHead
        let uri = call.url.path.isEmpty ? "/" : call.url.path
        c.handler.send(HTTPRequestHead(version: .http1_1, method: call.method, uri: uri, headers: call.headers), body: call.body)
    }

    // MARK: upstream events

    func upstreamHead(_ head: HTTPResponseHead) {
        guard case .awaitingHead = state else { return }
        lastActivity = .now()
        let code = Int(head.status.code)
        report(code, head.headers)
        if attempts.fallsBack(onStatus: code) {
            dropConnection()
            attempt()
            return
        }
        ctx.status = code
        // An error is read whole, whatever the transformer would do with it: it may quote the
        // gateway's own provider key, which must be redacted before it is relayed or logged.
        if code >= 400 {
            state = .buffering(head.status, head.headers)
            return
        }
        switch call.transformer.begin(status: head.status, headers: head.headers, ctx: ctx) {
        case .stream(let status, var headers):
            state = .streaming
            ctx.firstByte = .now()
            stripHopByHop(&headers)
            client?.sendHead(status, headers)
        case .buffer:
            state = .buffering(head.status, head.headers)
        }
    }

    func upstreamBody(_ part: ByteBuffer) {
        lastActivity = .now()
        switch state {
        case .streaming:
            do {
                if let out = try call.transformer.chunk(part, ctx: ctx), out.readableBytes > 0 {
                    client?.sendBody(out)
                }
            } catch {
                dropConnection()
                breakOff(error)
            }
        case .buffering:
            appendBuffered(part)
        default:
            break
        }
    }

    private func appendBuffered(_ part: ByteBuffer) {
        guard buffered.append(part) else {
            dropConnection()
            finishWithError(GatewayError(status: 502, kind: .apiError, message: "upstream answer larger than \(buffered.limit) bytes (server.max_buffered_answer_bytes)"))
            return
        }
    }

    func upstreamEnd() {
        ctx.upstreamEnd = .now()
        switch state {
        case .streaming:
            state = .done
            endAttempt()
            if let tail = call.transformer.finish(ctx: ctx), tail.readableBytes > 0 { client?.sendBody(tail) }
            releaseConnection()
            complete { $0.sendEnd() }
        case .buffering(let status, let headers):
            state = .done
            endAttempt()
            var buffer = buffered.take()
            if ctx.firstByte == nil { ctx.firstByte = .now() }
            releaseConnection()
            if status.code >= 400 { ctx.runtime.secrets.redact(&buffer, also: call.credential) }
            let w = call.transformer.whole(status: status, headers: headers, body: buffer, ctx: ctx)
            ctx.status = Int(w.status.code)
            var h = w.headers
            stripHopByHop(&h)
            complete { $0.sendWhole(w.status, h, w.body) }
        default:
            break
        }
    }

    func upstreamReadComplete() {
        if case .streaming = state { client?.flush() }
    }

    func upstreamClosed(_ error: (any Error)?) {
        let wasReused = conn?.reused ?? false
        conn = nil
        switch state {
        case .connecting, .awaitingHead:
            if attempts.retriesStale(connectionWasReused: wasReused) {
                attempt()
                return
            }
            failBeforeAnswer(GatewayError(status: 502, kind: .apiError, message: "upstream closed the connection before answering"))
        case .streaming:
            breakOff(GatewayError(status: 502, kind: .apiError, message: "upstream closed the connection mid-answer"))
        case .buffering:
            finishWithError(GatewayError(status: 502, kind: .apiError, message: "upstream closed the connection mid-answer"))
        case .done:
            break
        }
    }

    /// The client went away: stop the upstream call; nothing more is sent.
    func cancel() {
        switch state {
        case .done: return
        default:
            state = .done
            endAttempt()
            pool.deadlines.unwatch(self)
            dropConnection()
        }
    }

    /// Pauses reading from the provider while the client's socket is full.
    func clientWritabilityChanged(_ writable: Bool) {
        conn?.setReading(writable)
        // The provider was not slow while we did not read it: its timeout starts again now.
        if writable { lastActivity = .now() }
    }

    // MARK: health (docs/routing.md)

    /// An answer head came: a 429 or a 5xx is a failure of the target and its key, anything
    /// else a success (a 4xx is the client's own error).
    private func report(_ code: Int, _ headers: HTTPHeaders) {
        let board = ctx.runtime.health
        if code == 429 || code >= 500 {
            let retryAfter = code == 429 ? headers.first(name: "retry-after").flatMap { RetryAfter.seconds($0[...]) } : nil
            let config = ctx.runtime.groups.health
            board.failed(call.target.qualified, config, rateLimited: code == 429, retryAfter: retryAfter)
            if let id = keyID { board.failed(id, config, rateLimited: code == 429, retryAfter: retryAfter) }
            return
        }
        board.succeeded(call.target.qualified)
        if let id = keyID { board.succeeded(id) }
        if let s = call.stats { s.recordTTFB(Double((NIODeadline.now() - attemptStart).nanoseconds) / 1e9) }
    }

    /// No answer (refused, closed, timed out) or a broken one.
    private func failed() {
        let board = ctx.runtime.health, config = ctx.runtime.groups.health
        board.failed(call.target.qualified, config)
        if let id = keyID { board.failed(id, config) }
    }

    /// `provider#N`, N counted from 1 as in the metrics; nil for a provider with one key.
    private var keyID: String? { call.keyIndex.map { "\(call.target.provider)#\($0 + 1)" } }

    /// The attempt is over: it no longer counts as in flight for its group target.
    private func endAttempt() {
        counted?.ended()
        counted = nil
    }

    // MARK: helpers

    private func failBeforeAnswer(_ error: GatewayError) {
        failed()
        dropConnection()
        if attempts.advance() {
            attempt()
            return
        }
        finishWithError(error)
    }

    /// The answer broke off after its head reached the client: the client is told in the way
    /// its transformer chooses (an error event, or a cut connection), and the error recorded.
    private func breakOff(_ error: GatewayError) {
        failed()
        endAttempt()
        state = .done
        pool.deadlines.unwatch(self)
        ctx.error = error
        switch call.transformer.broken(error, ctx: ctx) {
        case .end(let tail):
            if let tail, tail.readableBytes > 0 { client?.sendBody(tail) }
            client?.sendEnd()
        case .cut(let tail):
            client?.abort(last: tail)
        }
    }

    private func finishWithError(_ error: GatewayError) {
        endAttempt()
        state = .done
        pool.deadlines.unwatch(self)
        ctx.error = error
        ctx.status = error.status
        client?.sendError(error)
    }

    private func complete(_ send: (any ClientResponder) -> Void) {
        pool.deadlines.unwatch(self)
        if let client { send(client) }
    }

    private func releaseConnection() {
        guard let c = conn else { return }
        conn = nil
        c.handler.delegate = nil
        pool.release(c)
    }

    private func dropConnection() {
        guard let c = conn else { return }
        conn = nil
        c.handler.delegate = nil
        c.channel.close(promise: nil)
    }

    /// Watched by the loop's sweep from the start of each attempt: a busy stream only moves
    /// `lastActivity`, so it costs no timer work per chunk.
    private func watchDeadline() {
        lastActivity = .now()
        timeout = call.timeout
        pool.deadlines.watch(self)
    }

    /// No upstream activity for the call's timeout.
    /// Never while reading is paused for a slow client: that wait is the client's, bounded by
    /// `server.send_timeout`, not the provider's.
    func isOverdue(_ now: NIODeadline) -> Bool {
        if let c = conn, c.readingPaused { return false }
        return now - lastActivity >= timeout
    }

    /// Called by the sweep once `isOverdue`: what a timeout means depends on how far we got.
    func deadlinePassed() {
        switch state {
        case .done:
            pool.deadlines.unwatch(self)
        case .connecting, .awaitingHead:
            failBeforeAnswer(GatewayError(status: 504, kind: .timeout, message: "upstream did not answer within \(timeout.nanoseconds / 1_000_000) ms"))
        case .streaming:
            dropConnection()
            breakOff(GatewayError(status: 504, kind: .timeout, message: "upstream stream stalled"))
        case .buffering:
            dropConnection()
            finishWithError(GatewayError(status: 504, kind: .timeout, message: "upstream answer stalled"))
        }
    }
}
