import NIOCore

/// The upstream deadlines of one event loop, checked by one repeating sweep instead of a timer
/// per exchange. Arming and cancelling a NIO timer for every request cost about 3,800
/// instructions; watching here is an append and a swap-remove. Timeouts are checked every
/// `interval`, so one fires up to that much late; the sweep stops when nothing is watched.
///
/// Only the loop's own thread touches it (it belongs to the loop's `ConnectionPool`).
final class DeadlineSweep {
    static let interval = TimeAmount.milliseconds(50)

    private let eventLoop: any EventLoop
    /// Strong references: every way an exchange ends unwatches it; one that did not would stay
    /// until its deadline passed, when the sweep finds it done and drops it.
    private var watched = SlotList<UpstreamExchange>()
    private var tick: NIOScheduledCallback?

    init(eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func watch(_ x: UpstreamExchange) {
        guard watched.add(x) else { return }
        if tick == nil { scheduleTick() }
    }

    func unwatch(_ x: UpstreamExchange) { watched.remove(x) }

    /// Backwards, because an exchange whose deadline passed unwatches itself (the last one moves
    /// into its slot, and that one was checked already) and may watch itself again for a
    /// fallback (appended, so not checked twice in one sweep).
    private func sweep() {
        tick = nil
        guard !watched.isEmpty else { return }
        let now = NIODeadline.now()
        var i = watched.count - 1
        while i >= 0 {
            if i < watched.count {
                let x = watched[i]
                if x.isOverdue(now) { x.deadlinePassed() }
            }
            i -= 1
        }
        if !watched.isEmpty, tick == nil { scheduleTick() }
    }

    private func scheduleTick() {
        tick = try? eventLoop.assumeIsolated().scheduleCallback(in: Self.interval, handler: Tick(sweep: self))
    }

    /// A scheduled callback rather than a repeated task: it may hold this loop-bound object
    /// without `Sendable`, and it is not re-armed once nothing is watched.
    private struct Tick: NIOScheduledCallbackHandler {
        let sweep: DeadlineSweep
        func handleScheduledCallback(eventLoop: some EventLoop) { sweep.sweep() }
    }
}
