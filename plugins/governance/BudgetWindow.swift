import TollgateConfig
import TollgateProtocols

/// The fixed window a budget counts spend in. Windows are aligned, so every process and every
/// restart agrees on them: `Nd`, `Nh`, `Nm` periods on multiples of the period since the Unix
/// epoch (UTC); `NM` on calendar months (UTC), every N months counted from January 1970.
/// When a window ends the spend starts again from zero.
struct BudgetWindow: Sendable, Equatable {
    /// The counter's window name, e.g. `budget:30d`.
    var name: String
    /// Unix seconds.
    var start: Int64
    var end: Int64

    init(name: String, start: Int64, end: Int64) {
        self.name = name
        self.start = start
        self.end = end
    }

    init(budget: Budget, now: Int64) {
        name = "budget:" + budget.period
        if budget.isCalendarMonths {
            let n = Int64(max(1, budget.periodSeconds / (30 * 86400)))
            let (y, m) = MonthWindows.yearMonth(ofUnixSeconds: now)
            let monthsSinceEpoch = (y - 1970) * 12 + (m - 1)
            let first = monthsSinceEpoch - floorMod(monthsSinceEpoch, n)
            start = MonthWindows.unixSeconds(monthsSinceEpoch: first)
            end = MonthWindows.unixSeconds(monthsSinceEpoch: first + n)
        } else {
            let p = Int64(max(1, budget.periodSeconds))
            start = now - floorMod(now, p)
            end = start + p
        }
    }

    func contains(_ t: Int64) -> Bool { t >= start && t < end }
}

func floorMod(_ a: Int64, _ n: Int64) -> Int64 {
    let r = a % n
    return r < 0 ? r + n : r
}

/// Calendar-month windows in UTC, on the protocols' day counts (`CivilDate`): integer math
/// only, so the access phase never touches Foundation's calendar.
enum MonthWindows {
    static func yearMonth(ofUnixSeconds t: Int64) -> (year: Int64, month: Int64) {
        let days = (t - floorMod(t, 86400)) / 86400
        let (y, m, _) = CivilDate.civil(Int(days))
        return (Int64(y), Int64(m))
    }

    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        Int64(CivilDate.days(Int(year), Int(month), Int(day)))
    }

    /// Midnight UTC on the first day of the month `months` after January 1970.
    static func unixSeconds(monthsSinceEpoch months: Int64) -> Int64 {
        let y = 1970 + (months - floorMod(months, 12)) / 12
        let m = floorMod(months, 12) + 1
        return daysFromCivil(year: y, month: m, day: 1) * 86400
    }
}
