import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Testing
import TollgateJSON
import TollgateProtocols
import TollgateStore

@testable import TollgateCore
@testable import TollgatePlugins

/// Answers internal requests like a route would, and remembers what it was asked.
final class AsyncFakeExecutor: InternalExecutor {
    let loop: any EventLoop
    let status: HTTPResponseStatus
    let body: String
    let seen = NIOLockedValueBox<[InternalRequest]>([])

    init(loop: any EventLoop, status: HTTPResponseStatus = .ok, body: String = #"{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0}]}"#) {
        self.loop = loop
        self.status = status
        self.body = body
    }

    func perform(_ request: InternalRequest) -> EventLoopFuture<InternalResponse> {
        seen.withLockedValue { $0.append(request) }
        return loop.makeSucceededFuture(InternalResponse(status: status, headers: HTTPHeaders(), body: ByteBuffer(string: body)))
    }
}

@Suite struct AsyncPluginTests {
    func submit(
        _ h: TelemetryHarness, route: String = "chat", vk: String? = "team-a", body: String? = nil, headers: [(String, String)] = []
    ) async throws -> (status: Int, body: String) {
        let ctx = try #require(body.map { h.context(route: route, body: $0, headers: [("x-bf-async", "true")] + headers) } ?? h.context(route: route, headers: [("x-bf-async", "true")] + headers))
        ctx.virtualKeyName = vk
        let plugin = try #require(h.plugin(AsyncPlugin.self, route: route))
        return try #require(try await telemetryResolve(plugin.access(ctx)).answer)
    }

    func poll(_ h: TelemetryHarness, _ id: String, route: String = "chat", vk: String? = "team-a") async throws -> (status: Int, body: String) {
        let ctx = try #require(h.context(route: route, headers: [("x-bf-async-id", id)]))
        ctx.virtualKeyName = vk
        let plugin = try #require(h.plugin(AsyncPlugin.self, route: route))
        return try #require(try await telemetryResolve(plugin.access(ctx)).answer)
    }

    func id(_ body: String) throws -> String { try #require(try JSON.parse(body)["id"]?.string) }

    @Test func submitStoresTheJobAndAnswersTheEmptyChatShape() async throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        let r = try await submit(h, headers: [("authorization", "Bearer sk-vk-secret-a"), ("anthropic-beta", "x")])
        #expect(r.status == 200)
        let json = try JSON.parse(r.body)
        #expect(json["object"]?.string == "chat.completion")
        #expect(json["choices"]?.array?.isEmpty == true)
        #expect(json["model"]?.string == "gpt-4o-mini")
        let job = try #require(h.store.jobs[try id(r.body)])
        #expect(job.owner == "team-a" && job.state == .pending && job.ttlSeconds == 60 && job.routeID == "chat")
        #expect(job.uri == "/v1/chat/completions")
        // Credentials are never stored; other headers are kept for the replay.
        #expect(!job.headers.contains { $0.first == "authorization" || $0.joined().contains("sk-vk-secret-a") })
        #expect(job.headers.contains { $0 == ["anthropic-beta", "x"] })
        #expect(!job.headers.contains { $0.first == "x-bf-async" })
    }

    @Test func shapesFollowTheSurface() async throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        let resp = try JSON.parse(try await submit(h, route: "responses", body: #"{"model":"gpt-4o-mini","input":"hi"}"#).body)
        #expect(resp["object"]?.string == "response" && resp["status"]?.string == "queued")
        let msg = try JSON.parse(try await submit(h, route: "messages", body: #"{"model":"claude-x","max_tokens":5,"messages":[]}"#).body)
        #expect(msg["type"]?.string == "message" && msg["content"]?.array?.isEmpty == true)
    }

    @Test func streamingSubmissionsAreRejected() async throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        let r = try await submit(h, body: #"{"model":"m","stream":true,"messages":[]}"#)
        #expect(r.status == 400)
        #expect(h.store.jobs.isEmpty)
        #expect(try await submit(h, body: "{not json").status == 400)
        #expect(try await submit(h, headers: [("x-bf-async-job-result-ttl", "soon")]).status == 400)
    }

    @Test func ttlHeaderOverridesTheConfig() async throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        let r = try await submit(h, headers: [("x-bf-async-job-result-ttl", "1")])
        #expect(h.store.jobs[try id(r.body)]?.ttlSeconds == 1)
    }

    @Test func pollAnswersByStateAndOwner() async throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        let jobID = try id(try await submit(h).body)
        let pending = try await poll(h, jobID)
        let pendingJSON = try JSON.parse(pending.body)
        #expect(pending.status == 200 && pendingJSON["choices"]?.array?.isEmpty == true)
        #expect(try await poll(h, jobID, vk: "team-b").status == 404)
        #expect(try await poll(h, jobID, vk: nil).status == 404)
        #expect(try await poll(h, "job-unknown").status == 404)

        var job = try #require(h.store.jobs[jobID])
        job.state = .done
        job.resultStatus = 200
        job.resultBody = Array(#"{"id":"chatcmpl-1","choices":[{"index":0}]}"#.utf8)
        job.finishedAt = Date()
        try await h.store.putJob(job)
        let done = try await poll(h, jobID)
        #expect(done.status == 200 && done.body.contains("chatcmpl-1"))

        job.finishedAt = Date(timeIntervalSinceNow: -61)  // past the route's 60 s
        try await h.store.putJob(job)
        #expect(try await poll(h, jobID).status == 404)
    }

    @Test func failedJobsReturnTheUpstreamError() {
        var job = AsyncJob(id: "j", owner: nil, routeID: "chat", uri: "/v1/chat/completions", headers: [], body: [])
        job.state = .failed
        job.resultStatus = 429
        job.resultBody = Array(#"{"error":{"message":"slow down","type":"rate_limit_error"}}"#.utf8)
        job.finishedAt = Date()
        let a = AsyncPoll.answer(job, caller: "anyone", protocol: .openAIChat, now: Date()).answer
        #expect(a?.status == 429 && a?.body.contains("slow down") == true)
        job.state = .running
        let running = AsyncPoll.answer(job, caller: nil, protocol: .openAIResponses, now: Date()).answer
        #expect(running?.body.contains(#""status":"in_progress""#) == true)
    }

    @Test func internalRequestsPassThroughWithTheOwner() throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        let ctx = try #require(h.context(route: "chat", headers: [("x-bf-async", "true"), (AsyncHeaders.owner, "team-a")]))
        ctx.isInternal = true
        let plugin = try #require(h.plugin(AsyncPlugin.self, route: "chat"))
        guard case .next = plugin.access(ctx) else {
            Issue.record("an internal request must pass")
            return
        }
        #expect(ctx.virtualKeyName == "team-a")
        // A client cannot name an owner.
        let outside = try #require(h.context(route: "chat", headers: [(AsyncHeaders.owner, "team-a")]))
        _ = plugin.access(outside)
        #expect(outside.virtualKeyName == nil)
    }

    @Test func noStoreIsA503() async throws {
        let h = try TelemetryHarness(telemetryRoutesYAML, withStore: false)
        #expect(try await submit(h).status == 503)
    }
}

@Suite struct AsyncWorkerTests {
    func job(_ id: String, owner: String? = "team-a", state: AsyncJob.State = .pending) -> AsyncJob {
        AsyncJob(
            id: id, owner: owner, routeID: "chat", uri: "/v1/chat/completions", headers: [["anthropic-beta", "x"]],
            body: Array(#"{"model":"m","messages":[]}"#.utf8), state: state)
    }

    func waitUntil(_ condition: () -> Bool) async {
        for _ in 0..<200 where !condition() { try? await Task.sleep(for: .milliseconds(10)) }
    }

    @Test func runsJobsThroughTheExecutorAndStoresResults() async throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        let exec = AsyncFakeExecutor(loop: h.loop)
        h.services.executor = exec
        let worker = AsyncWorker(store: h.store, services: h.services)
        worker.start()
        try await h.store.putJob(job("j1"))
        worker.submit(job("j1"))
        await waitUntil { h.store.jobs["j1"]?.state == .done }
        let done = try #require(h.store.jobs["j1"])
        #expect(done.state == .done && done.resultStatus == 200 && done.finishedAt != nil)
        #expect(String(decoding: done.resultBody ?? [], as: UTF8.self).contains("chatcmpl-1"))
        let sent = try #require(exec.seen.withLockedValue { $0.first })
        #expect(sent.uri == "/v1/chat/completions")
        #expect(sent.headers.first(name: AsyncHeaders.owner) == "team-a")
        #expect(sent.headers.first(name: "anthropic-beta") == "x")
        #expect(sent.headers.first(name: "x-request-id") == "j1")
        // No key was configured for the owner: none is presented.
        #expect(sent.headers.first(name: "x-bf-vk") == nil)
        await worker.shutdown()
    }

    @Test func presentsTheOwnersKeyFromTheConfigInMemoryOnly() async throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        let exec = AsyncFakeExecutor(loop: h.loop)
        h.services.executor = exec
        // The factory handed the shared worker the config's keys.
        let worker = AsyncWorker.shared(h.services, store: h.store)
        worker.start()
        try await h.store.putJob(job("k1"))
        worker.submit(job("k1"))
        await waitUntil { h.store.jobs["k1"]?.state == .done }
        let sent = try #require(exec.seen.withLockedValue { $0.first })
        #expect(sent.headers.first(name: "x-bf-vk") == "sk-vk-secret-a")
        let stored = try #require(h.store.jobs["k1"])
        #expect(!stored.headers.joined().joined().contains("sk-vk-secret-a"))
        await worker.shutdown()
    }

    @Test func upstreamErrorsFailTheJobWithTheirStatusAndBody() async throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        h.services.executor = AsyncFakeExecutor(loop: h.loop, status: .serviceUnavailable, body: #"{"error":{"message":"overloaded"}}"#)
        let worker = AsyncWorker(store: h.store, services: h.services)
        worker.start()
        try await h.store.putJob(job("j2"))  // a job is always stored before it is submitted
        worker.submit(job("j2"))
        await waitUntil { h.store.jobs["j2"]?.state == .failed }
        let failed = try #require(h.store.jobs["j2"])
        #expect(failed.resultStatus == 503)
        #expect(String(decoding: failed.resultBody ?? [], as: UTF8.self).contains("overloaded"))
        await worker.shutdown()
    }

    @Test func recoversUnfinishedJobsOnceEach() async throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        let exec = AsyncFakeExecutor(loop: h.loop)
        h.services.executor = exec
        try await h.store.putJob(job("p", state: .pending))
        try await h.store.putJob(job("r", state: .running))
        var finished = job("d", state: .done)
        finished.finishedAt = Date()
        try await h.store.putJob(finished)
        let worker = AsyncWorker(store: h.store, services: h.services)
        await worker.recover()
        worker.submit(job("p"))  // submitted again before it ran: still once
        worker.start()
        await waitUntil { h.store.jobs["p"]?.state == .done && h.store.jobs["r"]?.state == .done }
        #expect(h.store.jobs["p"]?.state == .done && h.store.jobs["r"]?.state == .done)
        await worker.shutdown()
        #expect(exec.seen.withLockedValue { $0.map(\.headers) }.compactMap { $0.first(name: "x-request-id") }.sorted() == ["p", "r"])
    }

    @Test func jobsQueuedAtShutdownStayPending() async throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        h.services.executor = AsyncFakeExecutor(loop: h.loop)
        let worker = AsyncWorker(store: h.store, services: h.services)
        try await h.store.putJob(job("later"))
        worker.submit(job("later"))
        await worker.shutdown()  // never started: nothing runs
        worker.start()
        try await Task.sleep(for: .milliseconds(50))
        #expect(h.store.jobs["later"]?.state == .pending)
    }

    @Test func concurrencyIsBounded() async throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        let gate = AsyncGateExecutor(loop: h.loop)
        h.services.executor = gate
        let worker = AsyncWorker(store: h.store, services: h.services, maxConcurrent: 2)
        worker.start()
        for i in 0..<5 {
            try await h.store.putJob(job("c\(i)"))
            worker.submit(job("c\(i)"))
        }
        await waitUntil { gate.waiting == 2 }
        try await Task.sleep(for: .milliseconds(50))
        #expect(gate.waiting == 2)
        gate.releaseAll()
        await waitUntil { h.store.jobs.values.filter { $0.state == .done }.count == 5 }
        #expect(h.store.jobs.values.filter { $0.state == .done }.count == 5)
        await worker.shutdown()
    }
}

/// Holds every request until released, to observe how many run at once.
final class AsyncGateExecutor: InternalExecutor {
    let loop: any EventLoop
    private let pending = NIOLockedValueBox<(promises: [EventLoopPromise<InternalResponse>], open: Bool)>(([], false))
    init(loop: any EventLoop) { self.loop = loop }

    var waiting: Int { pending.withLockedValue { $0.promises.count } }

    func perform(_ request: InternalRequest) -> EventLoopFuture<InternalResponse> {
        let p = loop.makePromise(of: InternalResponse.self)
        let open = pending.withLockedValue { s -> Bool in
            if !s.open { s.promises.append(p) }
            return s.open
        }
        if open { p.succeed(InternalResponse(status: .ok, headers: HTTPHeaders(), body: ByteBuffer(string: "{}"))) }
        return p.futureResult
    }

    func releaseAll() {
        let ps = pending.withLockedValue { s -> [EventLoopPromise<InternalResponse>] in
            s.open = true
            defer { s.promises = [] }
            return s.promises
        }
        for p in ps { p.succeed(InternalResponse(status: .ok, headers: HTTPHeaders(), body: ByteBuffer(string: "{}"))) }
    }
}
