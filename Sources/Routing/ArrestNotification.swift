import Contracts
import Notifications

/// The wording of rule `supervisee-arrested`: what the supervising officer reads about an
/// arrest of their supervisee.
enum ArrestNotification {
    static func make(_ arrest: EventEnvelope<ArrestMade>, supervision: SupervisionCase, recipient: Recipient) -> BusNotification {
        var matched: [MatchedIdentifier] = []
        if let stateId = arrest.subject?.stateId, stateId == supervision.stateId { matched.append(MatchedIdentifier("stateId", stateId)) }
        if let fbi = arrest.subject?.fbiNumber, fbi == supervision.fbiNumber { matched.append(MatchedIdentifier("fbiNumber", fbi)) }
        let person = arrest.subject?.name == nil ? supervision.subject : arrest.subject
        let payload = arrest.payload
        var facts = [
            NotificationFact("who", Describe.identifiers(person)),
            NotificationFact("what", "arrested: \(Describe.charges(payload.charges))"),
            NotificationFact("when", Describe.instant(payload.arrestedAt)),
            NotificationFact("where", Describe.location(payload.location)),
            NotificationFact("arresting agency", payload.arrestingAgencyId),
            NotificationFact("arrest", payload.arrestId),
            NotificationFact("case", "\(supervision.caseId) (\(supervision.supervisionType), \(supervision.agencyId))"),
        ]
        if let report = payload.reportNumber { facts.append(NotificationFact("report", report)) }
        return BusNotification(
            recipient: recipient, priority: .high,
            summary: "Your supervisee \(Describe.person(person)) was arrested by \(payload.arrestingAgencyId) at \(Describe.location(payload.location)): \(Describe.charges(payload.charges))",
            reason: NotificationReason(
                rule: SuperviseeArrested.rule,
                explanation: "You supervise case \(supervision.caseId), which was active on the day of this arrest; matched on \(matched.map(\.name).joined(separator: " and ")).",
                matched: matched),
            facts: facts, occurredAt: payload.arrestedAt, subjectStateId: person?.stateId ?? supervision.stateId,
            sourceEventId: arrest.eventId.uuidString.lowercased(), sourceEventType: ArrestMade.eventType,
            scope: supervision.caseId, recipientAgencyId: supervision.agencyId, subjectFbiNumber: person?.fbiNumber ?? supervision.fbiNumber)
    }
}
