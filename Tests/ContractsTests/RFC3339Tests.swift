import Foundation
import Testing

@testable import Contracts

@Suite("RFC 3339 date-times")
struct RFC3339Tests {
    @Test("parses what Foundation's ISO 8601 parser parses, to the same instant", arguments: [
        "2025-03-03T14:00:00Z", "2025-03-03T09:00:00-05:00", "2024-02-29T23:59:59+14:00",
        "1969-12-31T23:59:59Z", "2000-01-01T00:00:00.250Z", "2038-01-19T03:14:08.5+01:30",
    ])
    func agreesWithFoundation(_ text: String) throws {
        let ours = try #require(RFC3339.parse(text))
        let foundation = try (try? Date(text, strategy: .iso8601))
            ?? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        #expect(abs(ours.timeIntervalSince(foundation)) < 0.0005)
    }

    @Test("rejects what is not an RFC 3339 date-time", arguments: [
        "2025-03-03", "2025-02-30T00:00:00Z", "2025-03-03T24:00:00Z", "2025-03-03T14:00:00",
        "2025-03-03T14:00:00.Z", "2025-3-03T14:00:00Z", "2025-03-03T14:00:00Zjunk", "",
    ])
    func rejects(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test("formats UTC with milliseconds only when there are some, and round-trips")
    func formatting() throws {
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_741_010_400)) == "2025-03-03T14:00:00Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 946_684_800.25)) == "2000-01-01T00:00:00.250Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        for seconds in stride(from: -2_000_000_000.0, through: 4_000_000_000.0, by: 86_399_937.123) {
            let date = Date(timeIntervalSince1970: (seconds * 1000).rounded() / 1000)
            let parsed = try #require(RFC3339.parse(RFC3339.format(date)))
            #expect(abs(parsed.timeIntervalSince(date)) < 0.0005)
        }
    }
}

@Suite("Calendar days of instants")
struct CalendarDayTests {
    @Test("the UTC day of an instant matches Foundation's Gregorian calendar")
    func utcDay() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for seconds in stride(from: -3_000_000_000.0, through: 4_000_000_000.0, by: 12_345_678.9) {
            let date = Date(timeIntervalSince1970: seconds)
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            #expect(CalendarDate(utcDayOf: date) == CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!))
        }
    }
}
