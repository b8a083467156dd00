import NIOCore

/// The client connections of one event loop, looked at once a second for the `server:` timeouts
/// (header, body, keep-alive, send) and, during a drain, every 100 ms to close idle ones. One
/// sweep instead of a timer per connection: a connection only moves a timestamp as it works.
///
/// Only the loop's own thread touches it.
final class ClientConnections {
    static let interval = TimeAmount.seconds(1)
    static let drainInterval = TimeAmount.milliseconds(100)

    private let eventLoop: any EventLoop
    /// Strong references: a handler removes itself when it leaves its pipeline.
    private var handlers = SlotList<GatewayHandler>()
    private var tick: NIOScheduledCallback?
    private(set) var draining = false

    init(eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    var count: Int { handlers.count }

    func add(_ h: GatewayHandler) {
        guard handlers.add(h) else { return }
        if tick == nil { scheduleTick() }
    }

    func remove(_ h: GatewayHandler) { handlers.remove(h) }

    /// Every connection answers what it has and then closes; idle ones close now-ish.
    func beginDrain() {
        draining = true
        for h in handlers.items.reversed() { h.beginDrain() }
        tick?.cancel()
        tick = nil
        scheduleTick()
    }

    /// Closes whatever is still open (the drain's deadline passed).
    func closeAll() {
        for h in handlers.items.reversed() { h.closeNow() }
    }

    /// Backwards: a handler that closes may remove itself (the last one moves into its slot,
    /// and that one was checked already).
    private func sweep() {
        tick = nil
        let now = NIODeadline.now()
        var i = handlers.count - 1
        while i >= 0 {
            if i < handlers.count { handlers[i].checkTimeouts(now) }
            i -= 1
        }
        if !handlers.isEmpty || draining, tick == nil { scheduleTick() }
    }

    private func scheduleTick() {
        tick = try? eventLoop.assumeIsolated().scheduleCallback(
            in: draining ? Self.drainInterval : Self.interval, handler: Tick(connections: self))
    }

    private struct Tick: NIOScheduledCallbackHandler {
        let connections: ClientConnections
        func handleScheduledCallback(eventLoop: some EventLoop) { connections.sweep() }
    }
}

/// One `ClientConnections` per loop of the group, made when the listener starts.
final class ClientRegistry: Sendable {
    private let byLoop: [ObjectIdentifier: NIOLoopBound<ClientConnections>]
    let loops: [any EventLoop]

    init(group: any EventLoopGroup) async throws {
        var map: [ObjectIdentifier: NIOLoopBound<ClientConnections>] = [:]
        var loops: [any EventLoop] = []
        for loop in group.makeIterator() {
            loops.append(loop)
            map[ObjectIdentifier(loop)] = try await loop.submit {
                NIOLoopBound(ClientConnections(eventLoop: loop), eventLoop: loop)
            }.get()
        }
        byLoop = map
        self.loops = loops
    }

    func connections(for loop: any EventLoop) -> ClientConnections? {
        byLoop[ObjectIdentifier(loop)]?.value
    }

    /// Runs `body` on each loop with its connections, and waits for all.
    func forEach(_ body: @escaping @Sendable (ClientConnections) -> Void) async {
        for loop in loops {
            try? await loop.submit { [self] in
                if let c = connections(for: loop) { body(c) }
            }.get()
        }
    }
}
