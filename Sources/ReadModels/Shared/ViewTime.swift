import Contracts
import Foundation

/// Times as every view stores and compares them: an instant is milliseconds since 1970 in a
/// `BIGINT` column (`…_at`), and a calendar day (an issue date, a case's start, a birth date)
/// is the instant its UTC day starts, as the router reads days. So "in force on a day",
/// "within N days" and "at or before `asOf`" are integer comparisons in SQL on both databases,
/// whatever their collation, and a day is read back exactly (``day(_:)``).
///
/// No clock: every function maps the times it is given.
enum ViewTime {
    static let dayMilliseconds: Int64 = 86_400_000

    /// Milliseconds since 1970, to the nearest: events carry instants to the millisecond, and a
    /// `Date` parsed from `…:00.123Z` may hold 0.12299999…, which must still store as 123.
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000).rounded())
    }

    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1_000)
    }

    /// 00:00 UTC of `day`.
    static func start(of day: CalendarDate) -> Int64 {
        daysSince1970(year: day.year, month: day.month, day: day.day) * dayMilliseconds
    }

    /// The UTC day holding `milliseconds` (a stored day reads back as itself).
    static func day(_ milliseconds: Int64) -> CalendarDate {
        CalendarDate(utcDayOf: date(milliseconds))
    }

    /// 00:00 UTC of the day holding `milliseconds`.
    static func startOfDay(containing milliseconds: Int64) -> Int64 {
        floorDivision(milliseconds, dayMilliseconds) * dayMilliseconds
    }

    /// The UTC days from `asOf`'s day to `days` days later, both included, as the half-open
    /// range of instants [start of `asOf`'s day, start of the day after the last). A negative
    /// `days` is read as 0 (`asOf`'s day only).
    static func dayWindow(asOf: Date, days: Int) -> (from: Int64, until: Int64) {
        let from = startOfDay(containing: milliseconds(asOf))
        return (from, from + (Int64(max(0, days)) + 1) * dayMilliseconds)
    }

    /// The same UTC time of day `months` calendar months before `asOf` (the 29th, 30th or 31st
    /// falls back to the last day of a shorter month): "the 12 months before" starts here.
    static func monthsBefore(_ months: Int, _ asOf: Date) -> Int64 {
        let instant = milliseconds(asOf)
        let timeOfDay = instant - startOfDay(containing: instant)
        let day = CalendarDate(utcDayOf: asOf)
        let monthIndex = Int64(day.year * 12 + (day.month - 1) - months)
        let year = Int(floorDivision(monthIndex, 12))
        let month = Int(monthIndex - Int64(year) * 12) + 1
        var dayOfMonth = day.day
        while dayOfMonth > 28, CalendarDate(year: year, month: month, day: dayOfMonth) == nil { dayOfMonth -= 1 }
        return daysSince1970(year: year, month: month, day: dayOfMonth) * dayMilliseconds + timeOfDay
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    private static func daysSince1970(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = floorDivision(y, 400)
        let yearOfEra = y - era * 400
        let shiftedMonth = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func floorDivision(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }
}
