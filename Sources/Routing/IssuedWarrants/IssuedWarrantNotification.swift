import Contracts
import Notifications

/// The wording of the issuing-court rules: what a court reads about a warrant it issued.
enum IssuedWarrantNotification {
    /// `issued-warrant-resolved`: served, recalled or quashed by another agency.
    static func resolved(_ fact: WarrantFact, warrant: IssuedWarrant, by agencyId: String) -> BusNotification {
        BusNotification(
            recipient: .agency(warrant.issuingAgencyId), priority: .routine,
            summary: "Your warrant \(warrant.warrantId) for \(Describe.person(warrant.subject)): \(fact.what)",
            reason: NotificationReason(
                rule: IssuedWarrantRules.resolved,
                explanation: "Your agency issued this warrant; \(agencyId) acted on it.",
                matched: matched(warrant)),
            facts: facts(warrant) + [NotificationFact("what", fact.what), NotificationFact("by", agencyId)],
            occurredAt: fact.occurredAt, subjectStateId: warrant.subject?.stateId,
            sourceEventId: fact.eventId, sourceEventType: fact.eventType, scope: warrant.warrantId,
            subjectFbiNumber: warrant.subject?.fbiNumber)
    }

    /// `issued-warrant-subject-arrested`: routed for the warrant, from the arrest.
    static func arrested(_ arrest: EventEnvelope<ArrestMade>, arrestEventId: String, warrant: IssuedWarrant) -> BusNotification {
        let payload = arrest.payload
        return BusNotification(
            recipient: .agency(warrant.issuingAgencyId), priority: .routine,
            summary: "\(Describe.person(warrant.subject)), wanted on your warrant \(warrant.warrantId), arrested by \(payload.arrestingAgencyId) at \(Describe.instant(payload.arrestedAt))",
            reason: NotificationReason(
                rule: IssuedWarrantRules.subjectArrested,
                explanation: "Your agency issued this warrant, active when the person was arrested.",
                matched: matched(warrant) + [MatchedIdentifier("arrestId", payload.arrestId)]),
            facts: facts(warrant) + [
                NotificationFact("arrested", Describe.instant(payload.arrestedAt)),
                NotificationFact("arresting agency", payload.arrestingAgencyId),
                NotificationFact("arrest", payload.arrestId),
                NotificationFact("charges", Describe.charges(payload.charges)),
            ],
            occurredAt: payload.arrestedAt, subjectStateId: warrant.subject?.stateId,
            sourceEventId: arrestEventId, sourceEventType: ArrestMade.eventType, scope: warrant.warrantId,
            subjectFbiNumber: warrant.subject?.fbiNumber)
    }

    /// `issued-warrant-subject-supervised`: routed for the case, from the warrant's issue, so
    /// the same id whichever of the two was read first.
    static func supervised(_ warrant: IssuedWarrant, supervision: SupervisionCase) -> BusNotification {
        var caseFacts = [
            NotificationFact("case", "\(supervision.caseId) (\(supervision.supervisionType), \(supervision.agencyId))"),
            NotificationFact("supervision", "from \(supervision.startDate)" + (supervision.endDate.map { " to \($0)" } ?? "")),
        ]
        if let officer = supervision.officerId {
            caseFacts.append(NotificationFact("officer", supervision.officerName.map { "\($0) (\(officer))" } ?? officer))
        }
        return BusNotification(
            recipient: .agency(warrant.issuingAgencyId), priority: .routine,
            summary: "\(Describe.person(warrant.subject)), wanted on your warrant \(warrant.warrantId), is under supervision by \(supervision.agencyId)",
            reason: NotificationReason(
                rule: IssuedWarrantRules.subjectSupervised,
                explanation: "Your agency issued this warrant; the person was under supervision while it was active.",
                matched: matched(warrant) + [MatchedIdentifier("caseId", supervision.caseId)]),
            facts: facts(warrant) + caseFacts,
            occurredAt: CalendarDate(supervision.startDate).map { ReleaseClock.date(max($0.startMilliseconds, warrant.activeFromMilliseconds)) }
                ?? ReleaseClock.date(warrant.activeFromMilliseconds),
            subjectStateId: warrant.subject?.stateId ?? supervision.stateId,
            sourceEventId: warrant.issuedEventId, sourceEventType: WarrantIssued.eventType, scope: supervision.caseId,
            subjectFbiNumber: warrant.subject?.fbiNumber ?? supervision.fbiNumber)
    }

    private static func facts(_ warrant: IssuedWarrant) -> [NotificationFact] {
        [NotificationFact("who", Describe.identifiers(warrant.subject)),
         NotificationFact("warrant", "\(warrant.warrantId) (\(warrant.warrantKind)), issued on \(warrant.issuedOn)")]
    }

    private static func matched(_ warrant: IssuedWarrant) -> [MatchedIdentifier] {
        var matched: [MatchedIdentifier] = []
        if let stateId = warrant.subject?.stateId { matched.append(MatchedIdentifier("stateId", stateId)) }
        else if let fbi = warrant.subject?.fbiNumber { matched.append(MatchedIdentifier("fbiNumber", fbi)) }
        matched.append(MatchedIdentifier("warrantId", warrant.warrantId))
        return matched
    }
}
