import NIOCore
import TollgateProtocols

/// A store round trip made from the request path: run as a task, its answer delivered on the
/// request's event loop, and cut off after `timeout`. An unreachable database must answer the
/// client with 503 quickly, not hold it while the connection pool retries.
public enum StoreCall {
    public static let defaultTimeout: TimeAmount = .seconds(2)

    /// The answer when the store is down or slow: 503 with `retry-after`, in the caller's shape
    /// (the dispatcher renders `GatewayError` in the surface's own error format).
    public static let unavailable = GatewayError(
        status: 503, kind: .overloaded, message: "the gateway's store cannot be reached; try again shortly",
        code: "store_unavailable", retryAfter: 1)

    public static func onLoop<T: Sendable>(
        _ loop: any EventLoop, timeout: TimeAmount = defaultTimeout,
        _ work: @escaping @Sendable () async throws -> T
    ) -> EventLoopFuture<T> {
        bounded(loop.makeFutureWithTask(work), on: loop, timeout: timeout)
    }

    /// A call the store answers on `loop` itself (`SharedQuota.admit(_:on:)`), cut off after
    /// `timeout` the same way.
    public static func bounded<T: Sendable>(
        _ answer: EventLoopFuture<T>, on loop: any EventLoop, timeout: TimeAmount = defaultTimeout
    ) -> EventLoopFuture<T> {
        let promise = loop.makePromise(of: T.self)
        // Either the answer or the timer completes the promise; both run on `loop`. The box
        // may be made off the loop (a unit test calling a phase directly).
        let settled = NIOLoopBoundBox.makeBoxSendingValue(false, as: Bool.self, eventLoop: loop)
        let timer = loop.scheduleTask(in: timeout) {
            guard !settled.value else { return }
            settled.value = true
            promise.fail(StoreCallTimeout())
        }
        answer.hop(to: loop).whenComplete { result in
            guard !settled.value else { return }
            settled.value = true
            timer.cancel()
            promise.completeWith(result)
        }
        return promise.futureResult
    }
}

public struct StoreCallTimeout: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "the store did not answer in time" }
}
