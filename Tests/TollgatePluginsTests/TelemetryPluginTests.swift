import Foundation
import NIOCore
import NIOHTTP1
import Testing
import TollgateCore
import TollgateProtocols
import TollgateStore

@testable import TollgatePlugins

@Suite struct TelemetryPluginTests {
    /// Runs one request's telemetry phases as the dispatcher would, with the facts an upstream
    /// call would have left in the context.
    func finish(
        _ h: TelemetryHarness, route: String = "chat", model: String = "gpt-4o-mini", stream: Bool = false, status: Int = 200,
        headers: [(String, String)] = [], vk: String? = "team-a", response: String? = nil
    ) throws -> RequestContext {
        let ctx = try #require(h.context(route: route, headers: headers))
        let plugin = try #require(h.plugin(TelemetryPlugin.self, route: route))
        ctx.virtualKeyName = vk
        #expect(plugin.access(ctx).answer == nil)
        #expect(plugin.rewrite(ctx).answer == nil)
        ctx.target = ResolvedTarget(provider: "openai", model: model)
        ctx.isStream = stream
        ctx.upstreamStart = ctx.start + .milliseconds(1)
        ctx.firstByte = ctx.start + .milliseconds(30)
        ctx.upstreamEnd = ctx.start + .milliseconds(50)
        ctx.end = ctx.start + .milliseconds(52)
        ctx.status = status
        ctx.usage = Usage(inputTokens: 12, outputTokens: 7)
        ctx.costUSD = 0.0001
        if let response {
            var b = ByteBuffer(string: response)
            plugin.responseChunk(ctx, &b)
        }
        plugin.log(ctx)
        return ctx
    }

    func metrics(_ h: TelemetryHarness) -> String {
        String(decoding: TelemetryState.shared(h.services).metrics.exposition(), as: UTF8.self)
    }

    @Test func countsRequestsLatencyTokensAndCost() throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        for _ in 0..<3 { _ = try finish(h) }
        _ = try finish(h, model: "gpt-4o", stream: true)
        let text = metrics(h)
        #expect(text.contains(#"tollgate_requests_total{route="chat",provider="openai",model="gpt-4o-mini",status="200"} 3"#))
        #expect(text.contains(#"tollgate_requests_total{route="chat",provider="openai",model="gpt-4o",status="200"} 1"#))
        #expect(text.contains(#"tollgate_tokens_total{provider="openai",model="gpt-4o",virtual_key="team-a",type="output"} 7"#))
        #expect(text.contains(#"tollgate_tokens_total{provider="openai",model="gpt-4o-mini",virtual_key="team-a",type="input"} 36"#))
        #expect(text.contains("gen_ai_server_request_duration_seconds_bucket{"))
        #expect(text.contains(#"gen_ai_server_time_to_first_token_seconds_count{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o"} 1"#))
        // Only streams have a time to first token.
        #expect(!text.contains(#"gen_ai_server_time_to_first_token_seconds_count{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini"}"#))
        #expect(text.contains(#"gen_ai_client_token_usage_sum{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini",gen_ai_token_type="input"} 36"#))
        #expect(text.contains(#"tollgate_gateway_overhead_seconds_count{route="chat"} 4"#))
        #expect(text.contains("tollgate_requests_in_flight 0"))
        #expect(text.contains(#"tollgate_cost_usd_total{provider="openai",model="gpt-4o-mini",virtual_key="team-a"} 0.0003"#))
    }

    @Test func asksForUsageSoPassthroughAnswersAreCounted() throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        #expect(h.route("chat")?.needsUsage == true)
    }

    @Test func inFlightCountsOnlyRequestsItSawStart() throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        let plugin = try #require(h.plugin(TelemetryPlugin.self, route: "chat"))
        let a = try #require(h.context(route: "chat"))
        _ = plugin.access(a)
        #expect(metrics(h).contains("tollgate_requests_in_flight 1"))
        // A request an earlier plugin answered: log runs, access never did.
        let b = try #require(h.context(route: "chat"))
        b.status = 401
        plugin.log(b)
        #expect(metrics(h).contains("tollgate_requests_in_flight 1"))
        a.status = 200
        plugin.log(a)
        #expect(metrics(h).contains("tollgate_requests_in_flight 0"))
    }

    @Test func upstreamErrorsByKind() throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        _ = try finish(h, status: 503)
        let ctx = try #require(h.context(route: "chat"))
        let plugin = try #require(h.plugin(TelemetryPlugin.self, route: "chat"))
        _ = plugin.access(ctx)
        ctx.target = ResolvedTarget(provider: "openai", model: "m")
        ctx.upstreamStart = .now()
        ctx.error = GatewayError(status: 504, kind: .timeout, message: "slow")
        ctx.status = 504
        plugin.log(ctx)
        let text = metrics(h)
        #expect(text.contains(#"tollgate_upstream_errors_total{provider="openai",kind="server_error"} 1"#))
        #expect(text.contains(#"tollgate_upstream_errors_total{provider="openai",kind="timeout"} 1"#))
    }

    @Test func continuesTraceUpstream() throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        let ctx = try finish(h, headers: [("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), ("tracestate", "a=b")])
        let sent = try #require(ctx.forwardHeaders.first(name: "traceparent"))
        #expect(sent.hasPrefix("00-4bf92f3577b34da6a3ce929d0e0e4736-"))
        #expect(!sent.contains("00f067aa0ba902b7"))
        #expect(ctx.forwardHeaders.first(name: "tracestate") == "a=b")
        let line = try #require(h.capture.lines.withLockedValue { $0.last })
        #expect(line.metadata["trace_id"]?.description == "4bf92f3577b34da6a3ce929d0e0e4736")
    }

    @Test func accessLogLineHasTheFactsAndNoSecret() throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        _ = try finish(h, stream: true, headers: [("authorization", "Bearer sk-vk-secret-a")])
        let lines = h.capture.lines.withLockedValue { $0 }.filter { $0.message == "request" }
        #expect(lines.count == 1)
        let m = try #require(lines.first?.metadata)
        #expect(m["request_id"]?.description == "req-1")
        #expect(m["route"]?.description == "chat")
        #expect(m["vk"]?.description == "team-a")
        #expect(m["provider"]?.description == "openai")
        #expect(m["model"]?.description == "gpt-4o-mini")
        #expect(m["status"]?.description == "200")
        #expect(m["latency_ms"]?.description == "52.000")
        #expect(m["ttft_ms"]?.description == "30.000")
        #expect(m["input_tokens"]?.description == "12")
        #expect(m["output_tokens"]?.description == "7")
        #expect(m["cost_usd"]?.description == "0.000100")
        #expect(!m.values.contains { $0.description.contains("sk-vk-secret-a") })
    }

    @Test func requestLogRowsAreBatchedNotWrittenInline() async throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        _ = try finish(h)
        _ = try finish(h, model: "other")
        #expect(h.store.logs.isEmpty)  // the log phase only enqueues
        let writer = try #require(TelemetryState.shared(h.services).writer)
        await writer.flush()
        #expect(h.store.appendCalls >= 1)
        #expect(h.store.logs.count == 2)
        let row = try #require(h.store.logs.first)
        #expect(row.virtualKey == "team-a" && row.route == "chat" && row.status == 200 && row.inputTokens == 12)
        #expect(row.latencyMs == 52 && row.requestBody == nil && row.responseBody == nil)
    }

    @Test func payloadsOnlyWhenAskedAndRedacted() async throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        let ctx = try #require(h.context(route: "chat-payloads", body: #"{"model":"m","api_key":"sk-inline","messages":[]}"#))
        let plugin = try #require(h.plugin(TelemetryPlugin.self, route: "chat-payloads"))
        #expect(plugin.wantsChunks)
        #expect(try #require(h.plugin(TelemetryPlugin.self, route: "chat")).wantsChunks == false)
        _ = plugin.access(ctx)
        #expect(ctx[slot: TelemetryPlugin.Slot.self]?.keepsPayload == true)
        var part = ByteBuffer(string: #"{"id":"x","choices":[]}"#)
        plugin.responseChunk(ctx, &part)
        #expect(part.readableBytes == 23)  // the client's bytes are untouched
        ctx.status = 200
        plugin.log(ctx)
        await TelemetryState.shared(h.services).writer?.flush()
        let row = try #require(h.store.logs.first)
        #expect(row.requestBody?.contains("sk-inline") == false)
        #expect(row.requestBody?.contains("[REDACTED]") == true)
        #expect(row.responseBody == #"{"id":"x","choices":[]}"#)
    }

    @Test func stateSurvivesAReload() throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        _ = try finish(h)
        let before = TelemetryState.shared(h.services)
        let again = try GatewayRuntime.build(config: h.runtime.config, services: h.services, factories: PluginRegistry.factories, environment: [:])
        let plugin = try #require(again.router.routes.first { $0.id == "chat" }?.plugins.lazy.compactMap { $0 as? TelemetryPlugin }.first)
        #expect(plugin.state === before)
        #expect(metrics(h).contains(#"status="200"} 1"#))
    }

    @Test func metricsEndpointIsOnTheAdminListener() async throws {
        let h = try TelemetryHarness(telemetryRoutesYAML)
        _ = try finish(h)
        // Registered when the state was made; fetched the way the admin server would.
        let text = metrics(h)
        #expect(text.contains("# TYPE tollgate_requests_total counter"))
        #expect(text.contains("tollgate_config_reloads_total{result=\"success\"}"))
    }

    @Test func labelCombinationsAreCapped() throws {
        let m = TelemetryMetrics(maxSeries: 2)
        let h = try TelemetryHarness(telemetryRoutesYAML)
        for i in 0..<4 {
            let ctx = try #require(h.context(route: "chat"))
            ctx.target = ResolvedTarget(provider: "openai", model: "m\(i)")
            ctx.status = 200
            m.record(RequestFacts(ctx, traceID: nil))
        }
        let text = String(decoding: m.exposition(), as: UTF8.self)
        #expect(text.contains(#"model="m0""#) && text.contains(#"model="m1""#))
        #expect(!text.contains(#"model="m3""#))
        #expect(text.contains(#"tollgate_requests_total{route="chat",provider="openai",model="_other",status="200"} 2"#))
    }
}
