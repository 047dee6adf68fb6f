import Contracts
import Notifications

/// The wording of rule `warrant-check-clear`, to the releasing facility or the destination's
/// police department.
enum ClearCheckNotification {
    static func make(
        _ recipient: Recipient, check: WarrantCheck, warrantId: String, status: String, source: WarrantCheckRules.Source
    ) -> BusNotification {
        check.notification(
            to: recipient, priority: .routine,
            summary: "Warrant check clear for the release of \(Describe.person(check.subject)) from \(check.facilityName) on \(check.releaseDay): warrant \(warrantId) \(status)",
            reason: NotificationReason(
                rule: WarrantCheckRules.clear,
                explanation: recipient.kind == .facility
                    ? "Your facility is releasing this person; the last active warrant on the check was \(status)."
                    : "You were told of a pending warrant for this release into your jurisdiction; it was \(status).",
                matched: [MatchedIdentifier("releaseId", check.releaseId), MatchedIdentifier(WarrantCheckRules.warrantIdentifier, warrantId)]),
            what: "warrant \(warrantId) \(status); warrant check clear",
            facts: [
                NotificationFact("release", "\(check.releaseId) from \(check.facilityName) on \(check.releaseAt)"),
                NotificationFact("destination", Describe.address(check.destination) ?? "not given"),
            ],
            source: source)
    }
}
