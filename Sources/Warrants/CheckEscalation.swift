import Contracts
import Foundation

/// When a check still `pending` or on `hold` escalates: 30, 7 and 1 day(s) before the release,
/// each stage once per release date, on the first tick of the bus's clock (`bus.timers`) at or
/// after it. Plain arithmetic on milliseconds: "now" is always a tick's instant, never a wall
/// clock, so a replay escalates at the same ticks.
///
/// A tick that finds several stages due (the check opened late, the scheduler was down, the
/// date moved nearer) sends the nearest stage only and counts the others as passed: one
/// escalation per tick and check, the most pressing one.
enum CheckEscalation {
    /// The stages, in days before the release, farthest first.
    static let stages = [30, 7, 1]
    static let day: Int64 = 86_400_000

    /// `date` in milliseconds since 1970, the unit deadlines and ticks are compared in.
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000).rounded()) }

    /// When stage `days` is due for a release expected at `expectedAt`.
    static func dueAt(expectedAt: Int64, days: Int) -> Int64 { expectedAt - Int64(days) * day }

    /// When the next stage after `escalatedDays` (nil: none yet) is due; nil when none is left.
    static func nextDue(expectedAt: Int64, escalatedDays: Int?) -> Int64? {
        guard let next = stages.first(where: { $0 < (escalatedDays ?? Int.max) }) else { return nil }
        return dueAt(expectedAt: expectedAt, days: next)
    }

    /// The stage a tick at `now` escalates: the nearest one due and not yet escalated; nil if
    /// none is.
    static func stageDue(expectedAt: Int64, escalatedDays: Int?, now: Int64) -> Int? {
        stages.filter { $0 < (escalatedDays ?? Int.max) && dueAt(expectedAt: expectedAt, days: $0) <= now }.min()
    }
}

/// A check's escalation deadlines as people and other systems read them.
public enum WarrantCheckDeadlines {
    public struct Deadline: Sendable, Hashable {
        /// 30, 7 or 1.
        public var daysBefore: Int
        /// RFC 3339.
        public var at: String
        /// Whether this stage escalated (or was passed by a nearer one) for the current date.
        public var escalated: Bool
    }

    /// The check's three deadlines; none for a check stored before deadlines were kept.
    public static func of(_ check: WarrantCheck) -> [Deadline] {
        guard let expected = check.expectedAtMilliseconds else { return [] }
        return CheckEscalation.stages.map { days in
            let at = Date(timeIntervalSince1970: Double(CheckEscalation.dueAt(expectedAt: expected, days: days)) / 1000)
            return Deadline(daysBefore: days, at: EventCodec.formatInstant(at), escalated: check.escalatedDays.map { days >= $0 } ?? false)
        }
    }
}
