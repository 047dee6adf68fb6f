import Contracts
import Notifications

/// The wording of rule `subscription-arrests`: what a subscriber following a person for
/// `arrests` reads about an arrest (the supervising officer's is `supervisee-arrested`'s,
/// `ArrestNotification`). Nothing is withheld: every field is criminal justice information the
/// subscriber's basis covers.
enum ArrestSubscriptionNotification {
    static func make(_ arrest: EventEnvelope<ArrestMade>, for audience: PoliceAudience) -> BusNotification {
        let payload = arrest.payload
        let person = audience.person(arrest.subject)
        let matched = audience.matched(arrest.subject)
        var facts = [
            NotificationFact("who", Describe.identifiers(person)),
            NotificationFact("what", "arrested: \(Describe.charges(payload.charges))"),
            NotificationFact("when", Describe.instant(payload.arrestedAt)),
            NotificationFact("where", Describe.location(payload.location)),
            NotificationFact("arresting agency", payload.arrestingAgencyId),
            NotificationFact("arrest", payload.arrestId),
        ]
        if let report = payload.reportNumber { facts.append(NotificationFact("report", report)) }
        facts.append(audience.groundFact)
        return BusNotification(
            recipient: audience.recipient, priority: .high,
            summary: "\(audience.whose) \(Describe.person(person)) was arrested by \(payload.arrestingAgencyId) at \(Describe.location(payload.location)): \(Describe.charges(payload.charges))",
            reason: NotificationReason(
                rule: audience.rule("supervisee-arrested", kind: .arrests),
                explanation: "\(audience.ground); matched on \(matched.map(\.name).joined(separator: " and ")).",
                matched: matched),
            facts: facts, occurredAt: payload.arrestedAt, subjectStateId: person?.stateId ?? arrest.subject?.stateId,
            sourceEventId: arrest.eventId.uuidString.lowercased(), sourceEventType: ArrestMade.eventType,
            scope: audience.scope, recipientAgencyId: audience.recipientAgencyId, subjectFbiNumber: arrest.subject?.fbiNumber)
    }
}
