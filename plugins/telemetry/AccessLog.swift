import Logging
import TollgateCore

/// One line per request: `INFO request request_id=… route=… vk=team-a …` as text, or the
/// same fields as one JSON object with `--log-format json`. Virtual keys appear by name only.
enum AccessLog {
    static func write(_ f: RequestFacts, to logger: Logger) {
        guard logger.logLevel <= .info else { return }
        guard let format = LogLineBuilder.format(of: logger) else { return writeThroughLogger(f, logger) }
        // The fields in key order, as the handlers sort them; same line, no dictionary.
        var line = LogLineBuilder(format, level: .info, message: "request")
        if let c = f.costUSD { line.field("cost_usd", String(format6: c)) }
        if let e = f.error { line.field("error", e.message) }
        let tokens = f.inputTokens > 0 || f.outputTokens > 0
        if tokens { line.field("input_tokens", f.inputTokens) }
        if f.isInternal { line.field("internal", "true") }
        line.field("latency_ms", ms(f.totalSeconds))
        if let mo = f.model { line.field("model", mo) }
        if tokens { line.field("output_tokens", f.outputTokens) }
        if let p = f.provider { line.field("provider", p) }
        line.field("request_id", f.requestID)
        line.field("route", f.route)
        line.field("status", f.status)
        if f.stream { line.field("stream", "true") }
        if let t = f.traceID { line.field("trace_id", t) }
        if let t = f.ttftSeconds { line.field("ttft_ms", ms(t)) }
        if let u = f.upstreamSeconds { line.field("upstream_ms", ms(u)) }
        if let v = f.virtualKey { line.field("vk", v) }
        line.write()
    }

    /// Any other log handler (one that adds metadata, or not the gateway's): the same fields
    /// as metadata, through swift-log.
    static func writeThroughLogger(_ f: RequestFacts, _ logger: Logger) {
        var m = Logger.Metadata(minimumCapacity: 16)  // no rehash while filling
        m["request_id"] = .string(f.requestID)
        m["route"] = .string(f.route)
        // Numbers as plain strings: the JSON handler prints those as JSON numbers.
        m["status"] = .string(String(f.status))
        m["latency_ms"] = .string(ms(f.totalSeconds))
        if let v = f.virtualKey { m["vk"] = .string(v) }
        if let p = f.provider { m["provider"] = .string(p) }
        if let mo = f.model { m["model"] = .string(mo) }
        if let t = f.ttftSeconds { m["ttft_ms"] = .string(ms(t)) }
        if let u = f.upstreamSeconds { m["upstream_ms"] = .string(ms(u)) }
        if f.inputTokens > 0 || f.outputTokens > 0 {
            m["input_tokens"] = .string(String(f.inputTokens))
            m["output_tokens"] = .string(String(f.outputTokens))
        }
        if let c = f.costUSD { m["cost_usd"] = .string(String(format6: c)) }
        if f.stream { m["stream"] = "true" }
        if f.isInternal { m["internal"] = "true" }
        if let t = f.traceID { m["trace_id"] = .string(t) }
        if let e = f.error { m["error"] = .string(e.message) }
        logger.info("request", metadata: m)
    }

    /// Milliseconds with three decimals: sub-millisecond overheads stay visible.
    static func ms(_ seconds: Double) -> String { String(format3: seconds * 1000) }
}

extension String {
    /// Fixed-point formatting without Foundation's `String(format:)` (slow, and varargs), in
    /// integer arithmetic straight into the string's storage.
    init(fixed value: Double, digits: Int) {
        guard value.isFinite, abs(value) < 1e12, (0...9).contains(digits) else {
            self = value.isFinite ? String(value) : "0"
            return
        }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((abs(value) * Double(scale)).rounded())
        let negative = value < 0 && scaled > 0
        self = String(unsafeUninitializedCapacity: 32) { buf in
            // Digits right to left into the end of the buffer, then moved to the front.
            var i = 32
            var v = scaled
            var n = 0
            repeat {
                if n == digits, digits > 0 { i -= 1; buf[i] = UInt8(ascii: ".") }
                i -= 1
                buf[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                n += 1
            } while v > 0 || n <= digits
            if negative { i -= 1; buf[i] = UInt8(ascii: "-") }
            let count = 32 - i
            for j in 0..<count { buf[j] = buf[i + j] }
            return count
        }
    }
    init(format3 value: Double) { self.init(fixed: value, digits: 3) }
    init(format6 value: Double) { self.init(fixed: value, digits: 6) }
}
