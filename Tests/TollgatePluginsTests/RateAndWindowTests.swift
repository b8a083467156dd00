import Testing
import TollgateConfig
@testable import TollgatePlugins

@Suite struct RateLimiterTests {
    @Test func requestsBurstThenRefillEvenly() {
        var r = RateLimiter()
        for _ in 0..<60 { #expect(r.admitRequest(limitPerMinute: 60, now: 100) == nil) }
        let wait = r.admitRequest(limitPerMinute: 60, now: 100)
        #expect(wait.map { abs($0 - 1) < 1e-6 } == true)
        #expect(r.admitRequest(limitPerMinute: 60, now: 101) == nil)
        #expect(r.admitRequest(limitPerMinute: 60, now: 101) != nil)
        // After a quiet minute the whole burst is back, no more.
        for _ in 0..<60 { #expect(r.admitRequest(limitPerMinute: 60, now: 200) == nil) }
        #expect(r.admitRequest(limitPerMinute: 60, now: 200) != nil)
    }

    @Test func oneRequestPerMinute() {
        var r = RateLimiter()
        #expect(r.admitRequest(limitPerMinute: 1, now: 0) == nil)
        #expect(r.admitRequest(limitPerMinute: 1, now: 59) == 1)
        #expect(r.admitRequest(limitPerMinute: 1, now: 60) == nil)
    }

    @Test func tokensAreCheckedBeforeAndSpentAfter() {
        var r = RateLimiter()
        #expect(r.checkTokens(now: 0) == nil)
        r.spend(tokens: 99, limitPerMinute: 100, now: 0)
        #expect(r.checkTokens(now: 0) == nil)  // one token of room left: admitted
        r.spend(tokens: 1000, limitPerMinute: 100, now: 0)
        let wait = r.checkTokens(now: 0)
        #expect(wait.map { abs($0 - 600 + 0.6) < 1e-6 } == true)  // 1099 tokens = 659.4 s, minus the minute
        #expect(r.checkTokens(now: 600) == nil)
    }

    @Test func retryAfterIsWholeSecondsAtLeastOne() {
        #expect(retryAfterSeconds(0) == 1)
        #expect(retryAfterSeconds(0.2) == 1)
        #expect(retryAfterSeconds(1.01) == 2)
        #expect(retryAfterSeconds(20) == 20)
    }
}

@Suite struct BudgetWindowTests {
    // 2027-01-15T10:30:00Z
    let t: Int64 = 1_800_009_000

    @Test func fixedPeriodsAreAlignedToTheEpoch() {
        let d = BudgetWindow(budget: Budget(maxUSD: 1, period: "1d"), now: t)
        #expect(d.name == "budget:1d")
        #expect(d.start % 86400 == 0 && d.end == d.start + 86400 && d.contains(t))
        let h = BudgetWindow(budget: Budget(maxUSD: 1, period: "1h"), now: t)
        #expect(h.start == t - t % 3600 && h.end - h.start == 3600)
        let w = BudgetWindow(budget: Budget(maxUSD: 1, period: "7d"), now: t)
        #expect(w.start % (7 * 86400) == 0 && w.contains(t))
        let m = BudgetWindow(budget: Budget(maxUSD: 1, period: "1m"), now: t)
        #expect(m.start == t - t % 60 && m.end == m.start + 60)
    }

    @Test func calendarMonths() {
        let m = BudgetWindow(budget: Budget(maxUSD: 1, period: "1M"), now: t)
        #expect(m.start == 1_798_761_600)  // 2027-01-01T00:00:00Z
        #expect(m.end == 1_801_440_000)  // 2027-02-01T00:00:00Z
        let q = BudgetWindow(budget: Budget(maxUSD: 1, period: "3M"), now: t)
        #expect(q.start == 1_798_761_600)  // January starts a quarter counted from 1970
        #expect(q.end == 1_806_537_600)  // 2027-04-01
        // The last second of a month is still in it; the next is not.
        #expect(m.contains(1_801_439_999) && !m.contains(1_801_440_000))
    }

    @Test func civilDatesRoundTrip() {
        for months in Int64(0)...Int64(1200) {
            let s = MonthWindows.unixSeconds(monthsSinceEpoch: months)
            let (y, m) = MonthWindows.yearMonth(ofUnixSeconds: s)
            #expect((y - 1970) * 12 + m - 1 == months)
            #expect(MonthWindows.yearMonth(ofUnixSeconds: s - 1) != (y, m))
        }
        #expect(MonthWindows.daysFromCivil(year: 2024, month: 3, day: 1) - MonthWindows.daysFromCivil(year: 2024, month: 2, day: 1) == 29)
    }
}

@Suite struct ConstantTimeTests {
    @Test func equality() {
        let secret = Array("vk-secret".utf8)
        #expect(ConstantTime.equal(Substring("vk-secret").utf8, secret))
        #expect(!ConstantTime.equal(Substring("vk-secreT").utf8, secret))
        #expect(!ConstantTime.equal(Substring("vk-secret2").utf8, secret))
        #expect(!ConstantTime.equal(Substring("vk-secre").utf8, secret))
        #expect(!ConstantTime.equal(Substring("").utf8, secret))
        #expect(!ConstantTime.equal(Substring("x").utf8, []))
        #expect(ConstantTime.equal(Substring("").utf8, []))
        // A Substring cut out of a longer string compares by its own bytes.
        let header = "Bearer vk-secret"
        #expect(ConstantTime.equal(header.dropFirst(7).utf8, secret))
    }
}
