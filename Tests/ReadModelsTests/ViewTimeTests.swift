import Contracts
import Foundation
import Testing

@testable import ReadModels

/// How every view stores and compares times (`ViewTime`): pure arithmetic, no database.
@Suite struct ViewTimeTests {
    static let instant = ReleaseTestEvents.instant

    /// "12 months before" on the calendar: same time of day, the last day of a shorter month
    /// for the 29th–31st; "within N days" as whole UTC days.
    @Test func calendarArithmetic() {
        let instant = Self.instant
        #expect(ViewTime.monthsBefore(12, instant("2028-02-29T10:30:00Z")) == ViewTime.milliseconds(instant("2027-02-28T10:30:00Z")))
        #expect(ViewTime.monthsBefore(1, instant("2026-03-31T00:00:00Z")) == ViewTime.milliseconds(instant("2026-02-28T00:00:00Z")))
        #expect(ViewTime.monthsBefore(12, instant("2026-01-15T23:59:59Z")) == ViewTime.milliseconds(instant("2025-01-15T23:59:59Z")))
        #expect(ViewTime.monthsBefore(3, instant("1970-02-01T00:00:00Z")) == ViewTime.milliseconds(instant("1969-11-01T00:00:00Z")))
        let window = ViewTime.dayWindow(asOf: instant("2026-03-01T15:00:00Z"), days: 60)
        #expect(window.from == ViewTime.milliseconds(instant("2026-03-01T00:00:00Z")))
        #expect(window.until == ViewTime.milliseconds(instant("2026-05-01T00:00:00Z")))
        #expect(ViewTime.start(of: ReleaseTestEvents.day("2024-02-29")) == ViewTime.milliseconds(instant("2024-02-29T00:00:00Z")))
    }

    /// A stored day reads back as the same day, before 1970 too (birth dates).
    @Test func daysReadBackAsThemselves() {
        for text in ["1969-12-31", "1900-02-28", "2000-02-29", "2026-03-01", "2099-12-31"] {
            let day = ReleaseTestEvents.day(text)
            #expect(ViewTime.day(ViewTime.start(of: day)) == day, "\(text)")
        }
        #expect(ViewTime.startOfDay(containing: ViewTime.milliseconds(Self.instant("1969-12-31T23:00:00Z")))
            == ViewTime.milliseconds(Self.instant("1969-12-31T00:00:00Z")))
    }

    /// An event's instant keeps its milliseconds exactly: the `Date` parsed from `….123Z` is
    /// not always a whole number of milliseconds in binary (for many instants before 1985,
    /// 1979 here), so truncating would store some a millisecond early, before an `asOf` given
    /// as the same instant.
    @Test(arguments: ["1979-06-15T10:00:00", "2026-03-01T15:00:00"])
    func instantsKeepTheirMilliseconds(second: String) {
        let whole = ViewTime.milliseconds(Self.instant(second + "Z"))
        #expect(whole % 1_000 == 0)
        for millisecond in 0..<1_000 {
            let text = "\(second).\(String(millisecond + 1_000).dropFirst())Z"
            #expect(ViewTime.milliseconds(Self.instant(text)) == whole + Int64(millisecond), "\(text)")
        }
    }
}
