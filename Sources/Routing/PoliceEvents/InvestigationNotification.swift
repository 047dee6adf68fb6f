import Contracts
import Notifications

/// The wording of rule `investigation-named-supervisee` (and `subscription-investigations`): what
/// the recipient reads about an investigation naming their person, as far as its disclosure
/// allows (`InvestigationNamedSupervisee.Disclosure`). Never the other persons of interest; the
/// summary only to a 28 CFR Part 23 subscriber; for a confidential one, its existence alone.
/// Every notification says what it withholds and that a closure will ask to purge it.
enum InvestigationNotification {
    static func make(_ fact: InvestigationFact, for audience: PoliceAudience, disclosure: InvestigationNamedSupervisee.Disclosure) -> BusNotification {
        let state = fact.state
        let subject = SubjectIdentifiers(
            stateId: fact.person.stateId, fbiNumber: fact.person.fbiNumber, name: fact.person.name, dateOfBirth: fact.person.dateOfBirth)
        let person = audience.person(subject)
        let opened = fact.eventType == InvestigationOpened.eventType
        var matched = audience.matched(subject)
        if case .supervision(let supervision, _) = audience, let born = fact.person.dateOfBirth, born == supervision.subject?.dateOfBirth {
            matched.append(MatchedIdentifier("dateOfBirth", born.description))
        }
        var facts = [
            NotificationFact("who", Describe.identifiers(person)),
            NotificationFact("what", "named as a person of interest in an investigation \(opened ? "opened" : "updated")"),
            NotificationFact("when", Describe.instant(fact.occurredAt)),
            NotificationFact("investigation", fact.investigationId),
            NotificationFact("lead agency", state.leadAgencyId),
            NotificationFact("sensitivity", state.sensitivity.rawValue),
        ]
        if let contact = state.contact {
            facts.append(NotificationFact("contact", ([contact.name, contact.officerId] + [contact.phone, contact.email].compactMap { $0 }).joined(separator: ", ")))
        }
        var withheld = ["the other persons of interest"]
        switch disclosure {
        case .supervision:
            if let area = state.area { facts.append(areaFact(area)) }
            if state.summary != nil { withheld.append("the summary (criminal intelligence: shared only on a 28 CFR Part 23 basis)") }
        case .criminalIntelligence:
            if let area = state.area { facts.append(areaFact(area)) }
            if let summary = state.summary { facts.append(NotificationFact("summary", summary)) }
        case .existenceOnly:
            withheld.append("every detail (confidential: ask the lead agency)")
        }
        facts.append(NotificationFact("withheld", withheld.joined(separator: "; ")))
        facts.append(NotificationFact("purge", "when the lead agency closes the investigation you will be asked to purge this notification"))
        facts.append(audience.groundFact)
        let allowed = switch disclosure {
        case .supervision: "its sensitivity (routine) allows sharing with the supervising officer"
        case .criminalIntelligence: "your subscription's 28 CFR Part 23 basis allows sharing it"
        case .existenceOnly: "your subscription's 28 CFR Part 23 basis allows sharing that it exists (it is confidential)"
        }
        return BusNotification(
            recipient: audience.recipient, priority: .high,
            summary: "\(audience.whose) \(Describe.person(person)) is a person of interest in an investigation led by \(state.leadAgencyId) (\(fact.investigationId))",
            reason: NotificationReason(
                rule: audience.rule(InvestigationNamedSupervisee.rule, kind: .investigations),
                explanation: "\(audience.ground); the investigation names the person and \(allowed); matched on \(matched.map(\.name).joined(separator: " and ")).",
                matched: matched),
            facts: facts, occurredAt: fact.occurredAt, subjectStateId: fact.person.stateId,
            sourceEventId: fact.eventId, sourceEventType: fact.eventType,
            scope: audience.scope, recipientAgencyId: audience.recipientAgencyId, subjectFbiNumber: subject.fbiNumber ?? person?.fbiNumber)
    }

    private static func areaFact(_ area: InvestigationArea) -> NotificationFact {
        NotificationFact("area", "within \(area.radiusMeters) m of \(area.center.latitude), \(area.center.longitude)")
    }
}
