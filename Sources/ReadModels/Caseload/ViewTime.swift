import Contracts
import Foundation

/// Times as the views store them: milliseconds since 1970 in `BIGINT` columns (compared as
/// numbers on both databases, whatever their collation). A calendar day (a court date, a
/// case's start) is stored as the start of that day in UTC, as the router reads days.
enum ViewTime {
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// 00:00 UTC of `day`.
    static func milliseconds(_ day: CalendarDate) -> Int64 {
        Int64(daysSinceEpoch(day)) * 86_400_000
    }

    /// 00:00 UTC of the day `date` falls on (UTC).
    static func startOfDay(_ date: Date) -> Int64 {
        milliseconds(CalendarDate(utcDayOf: date))
    }

    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    static func day(_ milliseconds: Int64) -> CalendarDate {
        CalendarDate(utcDayOf: date(milliseconds))
    }

    /// Days from 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm).
    private static func daysSinceEpoch(_ day: CalendarDate) -> Int {
        let year = day.month <= 2 ? day.year - 1 : day.year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (day.month + (day.month > 2 ? -3 : 9)) + 2) / 5 + day.day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
