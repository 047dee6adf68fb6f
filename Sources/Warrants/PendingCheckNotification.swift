import Contracts
import Notifications

/// The wording of rules `warrant-check-pending` (to an issuing agency) and
/// `release-warrant-pending` (to the destination's police department).
enum PendingCheckNotification {
    typealias Source = WarrantCheckRules.Source

    /// To `agency`, about its own `warrants` on the check.
    static func court(_ agency: String, check: WarrantCheck, warrants own: [Warrant], source: Source) -> BusNotification {
        let list = own.map(\.label).joined(separator: "; ")
        return BusNotification(
            recipient: .agency(agency), priority: .high,
            summary: "Resolve before release: warrant \(list) for \(Describe.person(check.subject)), releasing from \(release(check))",
            reason: NotificationReason(
                rule: WarrantCheckRules.pending,
                explanation: "You issued this active warrant and the person is scheduled for release; resolve it before the release date.",
                matched: WarrantCheckRules.matched(check.subject, warrants: own, city: nil)),
            facts: [
                NotificationFact("who", Describe.identifiers(check.subject)),
                NotificationFact("what", "warrant check pending: \(list)"),
                NotificationFact("release", "\(check.releaseId) from \(check.facilityName) at \(check.releaseAt) (\(check.releaseType))"),
                NotificationFact("destination", Describe.address(check.destination) ?? "not given"),
            ],
            occurredAt: source.occurredAt, subjectStateId: check.stateId, sourceEventId: source.id, sourceEventType: source.eventType,
            scope: check.releaseId)
    }

    /// To the prosecutor's office serving `court` (from the agency directory), about that
    /// court's `warrants` on the check.
    static func prosecutor(_ agency: String, court: String, check: WarrantCheck, warrants own: [Warrant], source: Source) -> BusNotification {
        let list = own.map(\.label).joined(separator: "; ")
        return BusNotification(
            recipient: .agency(agency), priority: .high,
            summary: "Resolve before release: \(court) warrant \(list) for \(Describe.person(check.subject)), releasing from \(release(check))",
            reason: NotificationReason(
                rule: WarrantCheckRules.prosecutorPending,
                explanation: "You prosecute for the court that issued this active warrant and the person is scheduled for release; resolve it with the court before the release date.",
                matched: WarrantCheckRules.matched(check.subject, warrants: own, city: nil)),
            facts: [
                NotificationFact("who", Describe.identifiers(check.subject)),
                NotificationFact("what", "warrant check pending: \(list), issued by \(court)"),
                NotificationFact("release", "\(check.releaseId) from \(check.facilityName) at \(check.releaseAt) (\(check.releaseType))"),
                NotificationFact("destination", Describe.address(check.destination) ?? "not given"),
            ],
            occurredAt: source.occurredAt, subjectStateId: check.stateId, sourceEventId: source.id, sourceEventType: source.eventType,
            scope: check.releaseId)
    }

    /// To the releasing facility, whose check was clear: a new warrant reopened it.
    static func reopened(check: WarrantCheck, warrants: [Warrant], source: Source) -> BusNotification {
        let list = warrants.map(\.label).joined(separator: "; ")
        return BusNotification(
            recipient: .facility(check.facilityId), priority: .high,
            summary: "Warrant check reopened: \(Describe.person(check.subject)), releasing from \(release(check)), has a new warrant: \(list)",
            reason: NotificationReason(
                rule: WarrantCheckRules.reopened,
                explanation: "The check of this release was clear; a warrant issued since makes it pending again. Do not release before it is resolved.",
                matched: WarrantCheckRules.matched(check.subject, warrants: warrants, city: nil)),
            facts: [
                NotificationFact("who", Describe.identifiers(check.subject)),
                NotificationFact("what", "warrant check \(check.status) again: \(list)"),
                NotificationFact("release", "\(check.releaseId) from \(check.facilityName) at \(check.releaseAt) (\(check.releaseType))"),
            ],
            occurredAt: source.occurredAt, subjectStateId: check.stateId, sourceEventId: source.id, sourceEventType: source.eventType,
            scope: check.releaseId)
    }

    /// To the police department of `destination`, listing every warrant pending.
    static func police(
        _ recipient: Recipient, destination: Address, check: WarrantCheck, warrants: [Warrant], source: Source
    ) -> BusNotification {
        let list = warrants.map(\.label).joined(separator: "; ")
        return BusNotification(
            recipient: recipient, priority: .high,
            summary: "High-risk release into your jurisdiction: \(Describe.person(check.subject)) from \(release(check)) to \(destination.city), \(destination.state); warrant pending: \(list)",
            reason: NotificationReason(
                rule: WarrantCheckRules.policePending,
                explanation: "The person is releasing to an address in your city and a warrant is pending.",
                matched: WarrantCheckRules.matched(check.subject, warrants: warrants, city: destination)),
            facts: [
                NotificationFact("who", Describe.identifiers(check.subject)),
                NotificationFact("what", "scheduled release with warrant pending: \(list)"),
                NotificationFact("release", "\(check.releaseId) from \(check.facilityName) at \(check.releaseAt) (\(check.releaseType))"),
                NotificationFact("destination", Describe.address(destination) ?? ""),
            ],
            occurredAt: source.occurredAt, subjectStateId: check.stateId, sourceEventId: source.id, sourceEventType: source.eventType,
            scope: check.releaseId)
    }

    private static func release(_ check: WarrantCheck) -> String { "\(check.facilityName) on \(check.releaseDay)" }
}
