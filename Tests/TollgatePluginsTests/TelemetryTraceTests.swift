import Testing

@testable import TollgatePlugins

@Suite struct TelemetryTraceTests {
    let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func continuesTheClientsTraceWithANewSpan() throws {
        let t = TraceParent.next(after: incoming)
        #expect(t.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(t.spanID != "00f067aa0ba902b7")
        #expect(t.spanID.count == 16)
        #expect(t.flags == "01")
        #expect(TraceParent(parsing: t.header) == t)
    }

    @Test(arguments: [
        "", "garbage", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
    ])
    func rejectsMalformedHeaders(_ value: String) {
        #expect(TraceParent(parsing: value) == nil)
    }

    @Test func startsANewSampledTraceWithoutOne() {
        let a = TraceParent.next(after: nil), b = TraceParent.next(after: "nonsense")
        #expect(a.traceID.count == 32 && a.spanID.count == 16 && a.flags == "01")
        #expect(a.traceID != b.traceID)
        #expect(TraceParent(parsing: a.header) != nil)
    }

    @Test func laterVersionsMayCarryMoreFields() {
        #expect(TraceParent(parsing: "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future")?.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
    }
}
