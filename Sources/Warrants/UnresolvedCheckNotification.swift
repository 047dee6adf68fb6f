import Contracts
import Notifications

/// The wording of rules `warrant-check-escalation` (still unresolved 30, 7 or 1 day(s) before
/// the release) and `released-with-unresolved-warrant` (released anyway), and
/// `release-moved-away` (a destination's police told the release no longer concerns it).
enum UnresolvedCheckNotification {
    typealias Source = WarrantCheckRules.Source

    /// What stands in the way: "warrant W-1 (bench); detainer D-1 (federal, for US-USMS)".
    static func items(_ warrants: [Warrant], _ detainers: [Detainer]) -> String {
        (warrants.map { "warrant \($0.label)" } + detainers.map { "detainer \($0.label)" }).joined(separator: "; ")
    }

    /// To `recipient`, `days` day(s) before the release: the check is still unresolved.
    /// URGENT the day before, HIGH before that.
    static func escalation(
        _ recipient: Recipient, days: Int, check: WarrantCheck, warrants: [Warrant], detainers: [Detainer], source: Source
    ) -> BusNotification {
        let list = items(warrants, detainers)
        return check.notification(
            to: recipient, priority: days <= 1 ? .urgent : .high,
            summary: "\(days == 1 ? "1 day" : "\(days) days") to release, warrant check still \(check.status): \(Describe.person(check.subject)) from \(check.facilityName) on \(check.releaseDay): \(list)",
            reason: NotificationReason(
                rule: WarrantCheckRules.escalation,
                explanation: "The release is \(days == 1 ? "1 day" : "\(days) days") away and what you were asked to resolve is still open.",
                matched: WarrantCheckRules.matched(check.subject, warrants: warrants, city: nil)),
            what: "warrant check \(check.status) \(days) day(s) before release: \(list)", facts: [check.releaseFact], source: source,
            scope: "\(check.releaseId)@\(days)d@\(check.releaseAt)")
    }

    /// URGENT to `recipient`: the person was released while the check was pending or on hold.
    static func released(
        _ recipient: Recipient, check: WarrantCheck, releasedAt: String, destination: Address?, warrants: [Warrant], detainers: [Detainer],
        source: Source
    ) -> BusNotification {
        let list = items(warrants, detainers)
        let what = detainers.isEmpty ? "warrant" : warrants.isEmpty ? "detainer" : "warrant/detainer"
        return check.notification(
            to: recipient, priority: .urgent,
            summary: "URGENT: \(Describe.person(check.subject)) was released from \(check.facilityName) with unresolved \(what): \(list)",
            reason: NotificationReason(
                rule: WarrantCheckRules.releasedUnresolved,
                explanation: "The release went ahead while its warrant check was \(check.status); the \(what) is still active.",
                matched: WarrantCheckRules.matched(check.subject, warrants: warrants, city: destination)),
            what: "released with unresolved \(what): \(list)",
            facts: [
                NotificationFact("when", releasedAt),
                NotificationFact("from", "\(check.facilityName) (\(check.facilityId))"),
                NotificationFact("destination", Describe.address(destination) ?? "not given"),
            ],
            source: source)
    }

    /// To the police of the old destination: the release no longer goes to its city.
    static func movedAway(_ recipient: Recipient, old: Address, check: WarrantCheck, source: Source) -> BusNotification {
        check.notification(
            to: recipient, priority: .routine,
            summary: "No longer releasing to \(old.city), \(old.state): \(Describe.person(check.subject)) from \(check.facilityName) on \(check.releaseDay)",
            reason: NotificationReason(
                rule: WarrantCheckRules.movedAway,
                explanation: "You were told of this release into your jurisdiction; its destination changed and it no longer concerns you.",
                matched: WarrantCheckRules.matched(check.subject, warrants: [], city: old)),
            what: "destination changed away from \(old.city), \(old.state)", facts: [check.releaseFact], source: source)
    }
}
