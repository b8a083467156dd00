import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import TollgateCore
import TollgateJSON
import TollgateStore

/// Runs stored jobs through their route's pipeline (`services.executor`), at most
/// `maxConcurrent` at a time, and stores each result. One per process (shared across reloads);
/// jobs still unfinished in the store at start are run again (`recover`).
final class AsyncWorker: Sendable {
    let store: any Store
    let services: GatewayServices
    let maxConcurrent: Int
    private let jobs: AsyncStream<AsyncJob>
    private let input: AsyncStream<AsyncJob>.Continuation
    private let state = NIOLockedValueBox(State())
    /// Told of each job's outcome (`submitted`, `done`, `failed`); telemetry counts them.
    private let onEvent: @Sendable (String) -> Void

    private struct State {
        var loop: Task<Void, Never>?
        var cleanup: Task<Void, Never>?
        /// Queued or running here: a job recovered at start and submitted at once is run once.
        var known: Set<String> = []
        var stopping = false
        var loopEnded = false
        /// Virtual key name → its secret, from the config in force (see `useKeys`).
        var keys: [String: String] = [:]
    }

    static let key = "async.worker"

    /// This process among the fleet's workers: the name its leases carry.
    let workerID = "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    /// A claimed job is held this long unless renewed; a dead instance's jobs wait this long
    /// at most before another takes them.
    let leaseSeconds: Double
    /// How often a held lease is renewed (well inside the lease).
    let renewEvery: Duration
    /// How often a fleet's worker looks for jobs no live worker holds.
    let sweepEvery: Duration

    static func shared(_ services: GatewayServices, store: any Store) -> AsyncWorker {
        services.shared(key) {
            AsyncWorker(store: store, services: services) { event in
                TelemetryState.shared(services).metrics.asyncJob(event)
            }
        }
    }

    init(store: any Store, services: GatewayServices, maxConcurrent: Int = 4, leaseSeconds: Double = 10,
         renewEvery: Duration = .seconds(3), sweepEvery: Duration = .seconds(2),
         onEvent: @escaping @Sendable (String) -> Void = { _ in }) {
        self.store = store
        self.leaseSeconds = leaseSeconds
        self.renewEvery = renewEvery
        self.sweepEvery = sweepEvery
        self.services = services
        self.maxConcurrent = maxConcurrent
        self.onEvent = onEvent
        let (stream, continuation) = AsyncStream.makeStream(of: AsyncJob.self)
        jobs = stream
        input = continuation
    }

    /// The current config's virtual keys. A job stores its owner's *name* only (no secret at
    /// rest); when it runs, the owner's key from the config in force is presented to the
    /// pipeline in memory, so governance checks it (models, budget, rate limit) and charges it
    /// as for any request. A key removed since submission makes the job fail with 401.
    func useKeys(_ keys: [String: String]) {
        state.withLockedValue { $0.keys = keys }
    }

    /// Queues a job (already stored as pending). Safe from any thread.
    func submit(_ job: AsyncJob) {
        let fresh = state.withLockedValue { s -> Bool in
            guard !s.stopping, !s.known.contains(job.id) else { return false }
            s.known.insert(job.id)
            return true
        }
        if fresh { input.yield(job) }
    }

    func start() {
        state.withLockedValue { s in
            guard s.loop == nil, !s.stopping else { return }
            s.loop = Task.detached { [self] in await runLoop() }
            s.cleanup = Task.detached { [self] in
                var lastPurge = ContinuousClock.now
                while !Task.isCancelled {
                    // One instance owns an embedded store's jobs; a fleet's instances each sweep
                    // for jobs whose holder died.
                    try? await Task.sleep(for: store.sharedQuota == nil ? .seconds(600) : sweepEvery)
                    if store.sharedQuota != nil, !Task.isCancelled { await recover(quiet: true) }
                    if ContinuousClock.now - lastPurge >= .seconds(600) {
                        lastPurge = ContinuousClock.now
                        try? await store.deleteJobs(expiredBefore: Date())
                    }
                }
            }
        }
    }

    /// Queues every job no live worker holds: those a previous process left pending or
    /// running, and in a fleet those of an instance that died (its lease expired).
    func recover(quiet: Bool = false) async {
        do {
            let left = try await store.claimableJobs(worker: workerID)
            let known = state.withLockedValue { $0.known }
            let fresh = left.filter { !known.contains($0.id) }
            if !fresh.isEmpty, !quiet || fresh.contains(where: { $0.state == .running }) {
                services.logger.info("async: resuming \(fresh.count) unfinished jobs")
            }
            for job in fresh.sorted(by: { $0.createdAt < $1.createdAt }) { submit(job) }
        } catch {
            if !quiet { services.logger.error("async: could not read unfinished jobs: \(error)") }
        }
    }

    /// Stops taking jobs. Jobs not yet started stay pending in the store for the next start.
    /// Running ones were waited for by the server's drain (each is a request in flight); one
    /// the drain gave up on is left `running` and runs again at the next start, so this waits
    /// only `grace` for it rather than for an upstream that may never answer.
    func shutdown(grace: Duration = .seconds(1)) async {
        let (loop, cleanup) = state.withLockedValue { s in
            s.stopping = true
            return (s.loop, s.cleanup)
        }
        input.finish()
        cleanup?.cancel()
        guard loop != nil else { return }
        // Polled rather than awaited: awaiting the loop task (or a future inside it) cannot be
        // cut short by cancellation.
        let deadline = ContinuousClock.now + grace
        while !state.withLockedValue({ $0.loopEnded }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    private var stopping: Bool { state.withLockedValue { $0.stopping } }

    private func runLoop() async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for await job in jobs {
                if stopping { break }
                if running >= maxConcurrent {
                    await group.next()
                    running -= 1
                }
                if stopping { break }
                group.addTask { [self] in await run(job) }
                running += 1
            }
            await group.waitForAll()
        }
        state.withLockedValue { $0.loopEnded = true }
    }

    /// Runs one job and stores its outcome: the full answer, or the upstream's status and
    /// error body.
    func run(_ submitted: AsyncJob) async {
        defer { state.withLockedValue { _ = $0.known.remove(submitted.id) } }
        // Claimed first: in a fleet another instance may hold it, or have finished it.
        let claimed: AsyncJob?
        do {
            claimed = try await store.claimJob(id: submitted.id, worker: workerID, leaseSeconds: leaseSeconds)
        } catch {
            services.logger.error("async: job \(submitted.id) could not be claimed (will retry): \(error)")
            return
        }
        guard var job = claimed else { return }
        let renewal = Task.detached { [self, id = job.id] in
            while !Task.isCancelled {
                try? await Task.sleep(for: renewEvery)
                if Task.isCancelled { return }
                if (try? await store.renewJobLease(id: id, worker: workerID, leaseSeconds: leaseSeconds)) == false {
                    services.logger.warning("async: job \(id) was taken over by another instance")
                    return
                }
            }
        }
        defer { renewal.cancel() }

        var headers = HTTPHeaders(job.headers.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil })
        if let owner = job.owner {
            headers.replaceOrAdd(name: AsyncHeaders.owner, value: owner)
            if let key = state.withLockedValue({ $0.keys[owner] }) { headers.replaceOrAdd(name: "x-bf-vk", value: key) }
        }
        // The job id as request id ties the job's access-log line and request-log row to it.
        headers.replaceOrAdd(name: "x-request-id", value: job.id)
        let request = InternalRequest(method: .POST, uri: job.uri, headers: headers, body: ByteBuffer(bytes: job.body))
        if let executor = services.executor {
            do {
                let response = try await executor.perform(request).get()
                let code = Int(response.status.code)
                job.resultStatus = code
                job.resultBody = Array(response.body.readableBytesView)
                job.state = (200..<300).contains(code) ? .done : .failed
            } catch {
                job.state = .failed
                job.resultStatus = 500
                job.resultBody = Self.errorBody("async job could not run: \(error)")
            }
        } else {
            job.state = .failed
            job.resultStatus = 503
            job.resultBody = Self.errorBody("the gateway is not serving")
        }
        job.finishedAt = Date()
        renewal.cancel()
        do {
            guard try await store.finishJob(job, worker: workerID) else {
                services.logger.warning("async: job \(job.id) finished here after another instance took it over; its result stands")
                return
            }
        } catch {
            services.logger.error("async: could not store the result of job \(job.id): \(error)")
        }
        onEvent(job.state == .done ? "done" : "failed")
    }

    /// An OpenAI-shaped error for failures the pipeline never saw (no route error shape here).
    static func errorBody(_ message: String) -> [UInt8] {
        JSON.object(["error": .object(["message": .string(message), "type": "api_error"])]).serialized()
    }
}
