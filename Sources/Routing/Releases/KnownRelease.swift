import Contracts
import Foundation

/// A release as the release rules know it from its events so far (`custody.releases`, in order
/// per person): where it stands, when it is expected, where the person goes. A change or a
/// cancellation names only what changed; the rest comes from here.
struct KnownRelease: Codable, Sendable, Hashable {
    enum Status: String, Codable, Sendable {
        case scheduled, cancelled, completed
    }

    var releaseId: String
    var subject: SubjectIdentifiers?
    var status: Status
    /// Whether a schedule (or a change of one) was read before: a completion without one is short notice.
    var wasScheduled: Bool
    var facility: Facility?
    var releaseType: String?
    var expectedAt: Date?
    /// The event that set `expectedAt` (scheduled, or a change that moved it) and when it
    /// occurred: the pre-release notices derive from it, so a moved date notifies again.
    var expectedEventId: String?
    var expectedEventType: String?
    var expectedEventOccurredAt: Date?
    var destination: Address?
    var supervisingAgencyId: String?
    /// The agency whose schedule (or completion, without one) made the release known: the only
    /// one whose later events about it are taken (`RecordAuthority`). Nil in releases kept
    /// before it was recorded: any agency's are taken for those.
    var releasingAgencyId: String?

    /// How long before the expected release the pre-release rules act (the Kansas City practice).
    static let preReleaseWindow: TimeInterval = 60 * 86_400

    /// When the pre-release rules start to act on it: 60 days before the expected release (at
    /// once when it was scheduled less than 60 days ahead: that moment is before the schedule's
    /// own time). Nil without an expected time.
    var dueFromMilliseconds: Int64? {
        expectedAt.map { ReleaseClock.milliseconds($0.addingTimeInterval(-Self.preReleaseWindow)) }
    }

    /// The scope of a pre-release notice: the release and its expected time, so a moved date
    /// notifies again and the same date never twice.
    var preReleaseScope: String { "\(releaseId)@\(expectedAt.map(ReleaseClock.instant) ?? "")" }
}

/// Times as the release rules store them.
enum ReleaseClock {
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000).rounded()) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1_000) }
    static func instant(_ date: Date) -> String { EventCodec.formatInstant(date) }

    /// Midnight UTC starting `day`, in milliseconds since 1970 (days from the civil date:
    /// H. Hinnant's algorithm, no `Calendar`).
    static func startMilliseconds(of day: CalendarDate) -> Int64 {
        let y = Int64(day.month <= 2 ? day.year - 1 : day.year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(day.month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day.day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return (era * 146_097 + doe - 719_468) * 86_400_000
    }
}
