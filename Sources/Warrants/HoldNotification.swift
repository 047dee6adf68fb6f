import Contracts
import Notifications

/// The wording of rules `warrant-check-hold` (a detainer holds a release: to the holding
/// agency) and `warrant-check-hold-lifted` (to the holding agency and the facility).
enum HoldNotification {
    typealias Source = WarrantCheckRules.Source

    /// To the agency that holds `detainer`: the person will be handed over to it, not released.
    static func hold(_ detainer: Detainer, check: WarrantCheck, source: Source) -> BusNotification {
        check.notification(
            to: .agency(detainer.holdingAgencyId), priority: .high,
            summary: "Detainer \(detainer.detainerId) holds the release of \(Describe.person(check.subject)) from \(check.facilityName) on \(check.releaseDay): arrange the transfer",
            reason: NotificationReason(
                rule: WarrantCheckRules.hold,
                explanation: "Your agency lodged this detainer; the facility will hold the person for you at the release instead of releasing them.",
                matched: matched(check, detainer)),
            what: "warrant check on hold: detainer \(detainer.label)", facts: [check.releaseFact], source: source)
    }

    /// To `recipient` (the holding agency or the facility): the detainer was lifted, the check
    /// is now `check.status`.
    static func lifted(_ recipient: Recipient, detainer: Detainer, check: WarrantCheck, source: Source) -> BusNotification {
        check.notification(
            to: recipient, priority: .routine,
            summary: "Detainer \(detainer.detainerId) lifted for the release of \(Describe.person(check.subject)) from \(check.facilityName) on \(check.releaseDay): warrant check \(check.status)",
            reason: NotificationReason(
                rule: WarrantCheckRules.holdLifted,
                explanation: recipient.kind == .facility
                    ? "Your facility is releasing this person; the detainer that held the release was lifted."
                    : "Your agency's detainer on this release was lifted; the person will not be held for you.",
                matched: matched(check, detainer)),
            what: "detainer \(detainer.label) lifted; warrant check \(check.status)", facts: [check.releaseFact], source: source)
    }

    private static func matched(_ check: WarrantCheck, _ detainer: Detainer) -> [MatchedIdentifier] {
        WarrantCheckRules.matched(check.subject, warrants: [], city: nil) + [MatchedIdentifier("detainerId", detainer.detainerId)]
    }
}
