import Contracts
import Notifications

/// The wording of rules `warrant-check-pending` (to an issuing agency),
/// `warrant-check-prosecutor` (to the prosecutor serving the issuing court),
/// `warrant-check-reopened` (to the facility) and `release-warrant-pending` (to the
/// destination's police department).
enum PendingCheckNotification {
    typealias Source = WarrantCheckRules.Source

    /// To `agency`, about its own `warrants` on the check.
    static func court(_ agency: String, check: WarrantCheck, warrants own: [Warrant], source: Source) -> BusNotification {
        let list = own.map(\.label).joined(separator: "; ")
        return check.notification(
            to: .agency(agency), priority: .high,
            summary: "Resolve before release: warrant \(list) for \(Describe.person(check.subject)), releasing from \(release(check))",
            reason: NotificationReason(
                rule: WarrantCheckRules.pending,
                explanation: "You issued this active warrant and the person is scheduled for release; resolve it before the release date.",
                matched: WarrantCheckRules.matched(check.subject, warrants: own, city: nil)),
            what: "warrant check pending: \(list)", facts: [check.releaseFact, destination(check.destination)], source: source)
    }

    /// To the prosecutor's office serving `court` (from the agency directory), about that
    /// court's `warrants` on the check.
    static func prosecutor(_ agency: String, court: String, check: WarrantCheck, warrants own: [Warrant], source: Source) -> BusNotification {
        let list = own.map(\.label).joined(separator: "; ")
        return check.notification(
            to: .agency(agency), priority: .high,
            summary: "Resolve before release: \(court) warrant \(list) for \(Describe.person(check.subject)), releasing from \(release(check))",
            reason: NotificationReason(
                rule: WarrantCheckRules.prosecutorPending,
                explanation: "You prosecute for the court that issued this active warrant and the person is scheduled for release; resolve it with the court before the release date.",
                matched: WarrantCheckRules.matched(check.subject, warrants: own, city: nil)),
            what: "warrant check pending: \(list), issued by \(court)", facts: [check.releaseFact, destination(check.destination)], source: source)
    }

    /// To the releasing facility, whose check was clear: a new warrant reopened it.
    static func reopened(check: WarrantCheck, warrants: [Warrant], source: Source) -> BusNotification {
        let list = warrants.map(\.label).joined(separator: "; ")
        return check.notification(
            to: .facility(check.facilityId), priority: .high,
            summary: "Warrant check reopened: \(Describe.person(check.subject)), releasing from \(release(check)), has a new warrant: \(list)",
            reason: NotificationReason(
                rule: WarrantCheckRules.reopened,
                explanation: "The check of this release was clear; a warrant issued since makes it pending again. Do not release before it is resolved.",
                matched: WarrantCheckRules.matched(check.subject, warrants: warrants, city: nil)),
            what: "warrant check \(check.status) again: \(list)", facts: [check.releaseFact], source: source)
    }

    /// To the police department of `destination`, listing every warrant pending.
    static func police(
        _ recipient: Recipient, destination: Address, check: WarrantCheck, warrants: [Warrant], source: Source
    ) -> BusNotification {
        let list = warrants.map(\.label).joined(separator: "; ")
        return check.notification(
            to: recipient, priority: .high,
            summary: "High-risk release into your jurisdiction: \(Describe.person(check.subject)) from \(release(check)) to \(destination.city), \(destination.state); warrant pending: \(list)",
            reason: NotificationReason(
                rule: WarrantCheckRules.policePending,
                explanation: "The person is releasing to an address in your city and a warrant is pending.",
                matched: WarrantCheckRules.matched(check.subject, warrants: warrants, city: destination)),
            what: "scheduled release with warrant pending: \(list)",
            facts: [check.releaseFact, NotificationFact("destination", Describe.address(destination) ?? "")], source: source)
    }

    private static func release(_ check: WarrantCheck) -> String { "\(check.facilityName) on \(check.releaseDay)" }

    private static func destination(_ address: Address?) -> NotificationFact {
        NotificationFact("destination", Describe.address(address) ?? "not given")
    }
}
