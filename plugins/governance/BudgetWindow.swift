import TollgateConfig

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
            let (y, m) = CivilDate.yearMonth(ofUnixSeconds: now)
            let monthsSinceEpoch = (y - 1970) * 12 + (m - 1)
            let first = monthsSinceEpoch - floorMod(monthsSinceEpoch, n)
            start = CivilDate.unixSeconds(monthsSinceEpoch: first)
            end = CivilDate.unixSeconds(monthsSinceEpoch: first + n)
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

/// Proleptic Gregorian dates in UTC from day counts (H. Hinnant's algorithms): integer math
/// only, so the access phase never touches Foundation's calendar.
enum CivilDate {
    static func yearMonth(ofUnixSeconds t: Int64) -> (year: Int64, month: Int64) {
        let days = (t - floorMod(t, 86400)) / 86400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, m)
    }

    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Midnight UTC on the first day of the month `months` after January 1970.
    static func unixSeconds(monthsSinceEpoch months: Int64) -> Int64 {
        let y = 1970 + (months - floorMod(months, 12)) / 12
        let m = floorMod(months, 12) + 1
        return daysFromCivil(year: y, month: m, day: 1) * 86400
    }
}
