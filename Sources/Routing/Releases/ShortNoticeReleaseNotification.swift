import Contracts
import Notifications

/// The wording of rule `short-notice-release`: an URGENT notice to the destination's police
/// agency and the supervising agency that a release leaves (almost) no time to prepare.
enum ShortNoticeReleaseNotification {
    /// `police`: the destination's police agency (with `destination`); otherwise the supervising agency.
    static func make(_ notice: ReleaseNotice, recipient: Recipient, destination: Address?, supervisingCase: String?) -> BusNotification {
        let notice72 = notice.kind == .completed ? "released with no prior schedule" : "release scheduled less than 72 hours ahead"
        var matched = notice.matched
        if let destination { matched.append(MatchedIdentifier("city", "\(destination.city), \(destination.state)")) }
        if let supervisingCase { matched.append(MatchedIdentifier("caseId", supervisingCase)) }
        var facts = notice.facts
        facts.insert(NotificationFact("notice", notice72), at: 2)
        return BusNotification(
            recipient: recipient, priority: .urgent,
            summary: "URGENT: \(notice.person) \(notice72): \(notice.what)"
                + (notice.destination.map { " to \($0.city), \($0.state)" } ?? ""),
            reason: NotificationReason(
                rule: ReleaseRules.shortNoticeRelease,
                explanation: destination != nil
                    ? "The person is releasing into your jurisdiction with less than 72 hours' notice."
                    : "Your agency supervises this person, who is releasing with less than 72 hours' notice.",
                matched: matched),
            facts: facts,
            occurredAt: notice.occurredAt, subjectStateId: notice.subject?.stateId,
            sourceEventId: notice.eventId, sourceEventType: notice.eventType, scope: notice.releaseId,
            subjectFbiNumber: notice.subject?.fbiNumber)
    }
}
