import Contracts
import Foundation
import Pipeline
import Timers

/// The demo's clock (`dev --demo`, after the scenario): time-dependent rules — escalation of an
/// unacknowledged URGENT notification after 15 and 30 minutes, a feed alarm after twice its
/// cadence — act on ticks of `bus.timers` only, and `dev`'s scheduler ticks on the wall clock,
/// so a demo would have to wait half an hour to show them. Instead the demo publishes a tick of
/// its own, `clockLead` ahead of the wall clock, as a scheduler whose clock runs ahead would:
///
/// - K1: the KCPD's directory entry again, now expecting an arrest every
///   `kcpdArrestCadenceMinutes` (an agency may set its own cadence per feed).
/// - K2: the tick at `now + clockLead`, published once the inbox has read every notification
///   the services delivered so far. The inbox escalates every URGENT notification nobody has
///   acknowledged to the agency's duty desk and then its supervisors (`urgent-unacknowledged`);
///   the feeds service finds the KCPD's arrests silent past twice their cadence (`feed-silent`
///   to the bus's operators and the KCPD).
/// - K3: a KCPD arrest of a person nobody supervises or wants: the all-clear (`feed-restored`).
///
/// What a tick ahead means for the rest of the run: the services that keep the latest tick (the
/// router's time-dependent rules, the feeds service) ignore the scheduler's ticks until the wall
/// clock catches up with it (they act on everything due at or before a tick, so nothing is
/// lost, only later); the inbox escalates on any tick, so a notification routed after K2
/// escalates on the wall clock as usual.
extension DemoScenario {
    /// How far ahead of `now` the demo's tick is: past the 30 minutes of the supervisor step,
    /// with room for the scenario's own steps (seconds) before it.
    public static let clockLead: TimeInterval = 45 * 60
    /// The KCPD's arrest cadence during the demo (silent past twice that at the demo's tick).
    public static let kcpdArrestCadenceMinutes = 10

    /// The scenario followed by ``clockSteps(now:run:)``.
    public func withDemoClock() throws -> DemoScenario {
        var scenario = self
        scenario.steps += try Self.clockSteps(now: now, run: run)
        return scenario
    }

    /// The KCPD's entry with the demo's arrest cadence.
    public static var kcpdWithDemoCadence: AgencyDescribed {
        get throws {
            guard var entry = directory.first(where: { $0.agencyId == "MO-KCPD" }) else {
                throw DemoScenarioError(description: "the demo directory has no MO-KCPD entry")
            }
            entry.feedCadences = [FeedCadence(topic: "police.arrests", everyMinutes: kcpdArrestCadenceMinutes)]
            entry.integratorContact = DutyContact(email: "rms.support@kcpd.example.org")
            return entry
        }
    }

    /// A person nobody supervises and no warrant names (K3's arrest).
    public static let passerby = SubjectIdentifiers(
        stateId: "MO5559876", name: PersonName(given: "Jordan", family: "Pike"), dateOfBirth: CalendarDate("1992-04-30"))

    /// Steps K1–K3; ids from `run` and the step name.
    public static func clockSteps(now: Date, run: String) throws -> [Step] {
        func id(_ step: String) -> UUID { ScenarioEvent.eventId("\(run)/\(step)") }
        let tick = TimerTick(minuteOf: now.addingTimeInterval(clockLead))
        return [
            Step(name: "K1 MO-KCPD expects an arrest every \(kcpdArrestCadenceMinutes) minutes",
                 event: try agencyDescribed(try kcpdWithDemoCadence, now: now, id: id("K1")), readBy: .feeds),
            Step(name: "K2 demo clock, \(Int(clockLead / 60)) minutes ahead",
                 event: ScenarioEvent(topic: TimerTick.topic, key: TimerTick.minuteClock, eventId: tick.id, eventType: TimerTick.eventType,
                                      value: tick.encoded()),
                 readBy: .feeds, afterInboxCaughtUp: true),
            Step(name: "K3 KCPD arrest: the feed publishes again",
                 event: try arrest(passerby, arrestId: "KCPD-A-25-019004", at: now, now: now, id: id("K3")), readBy: .feeds),
        ]
    }
}

/// A demo scenario that cannot be built from its own data (a programming error in the demo).
public struct DemoScenarioError: Error, CustomStringConvertible {
    public var description: String
}
