import Contracts
import Notifications

extension WarrantCheck {
    /// The fact every notice about a check carries: which release, from where, when, of what type.
    var releaseFact: NotificationFact {
        NotificationFact("release", "\(releaseId) from \(facilityName) at \(releaseAt) (\(releaseType))")
    }

    /// A notice about this check: its facts start with who the person is and `what` happened to
    /// the check, then `facts` (the release fact, the destination, …). It is scoped to the
    /// release unless `scope` says otherwise (an escalation is scoped to its stage and date), so
    /// a redelivered event makes the same notification id.
    func notification(
        to recipient: Recipient, priority: NotificationPriority, summary: String, reason: NotificationReason, what: String,
        facts: [NotificationFact], source: WarrantCheckRules.Source, scope: String? = nil
    ) -> BusNotification {
        BusNotification(
            recipient: recipient, priority: priority, summary: summary, reason: reason,
            facts: [NotificationFact("who", Describe.identifiers(subject)), NotificationFact("what", what)] + facts,
            occurredAt: source.occurredAt, subjectStateId: stateId, sourceEventId: source.id, sourceEventType: source.eventType,
            scope: scope ?? releaseId, recipientAgencyId: recipient.kind == .facility ? releasingAgencyId : nil,
            subjectFbiNumber: subject?.fbiNumber)
    }
}
