import Contracts
import Notifications

/// The wording of rules `supervisee-victim`, `supervisee-suspect` (and `subscription-incidents`):
/// what the recipient reads about a violent incident naming their person. It carries the
/// incident (kind, time, place, report, reporting agency) and the person's role; it withholds
/// who else was involved — only how many — since they are not the recipient's to follow.
enum IncidentNotification {
    static func make(_ incident: IncidentFact, for audience: PoliceAudience) -> BusNotification {
        let subject = SubjectIdentifiers(
            stateId: incident.person.stateId, fbiNumber: incident.person.fbiNumber, name: incident.person.name,
            dateOfBirth: incident.person.dateOfBirth)
        let person = audience.person(subject)
        let role = switch (incident.victim, incident.suspect) {
        case (true, true): "a victim and a suspect"
        case (false, true): "a suspect"
        default: "a victim"
        }
        let kind = incident.incidentKind.rawValue.replacingOccurrences(of: "_", with: " ")
        var matched = audience.matched(subject)
        if case .supervision(let supervision, _) = audience, let born = incident.person.dateOfBirth, born == supervision.subject?.dateOfBirth {
            matched.append(MatchedIdentifier("dateOfBirth", born.description))
        }
        var facts = [
            NotificationFact("who", Describe.identifiers(person)),
            NotificationFact("role", role),
            NotificationFact("what", kind),
            NotificationFact("when", Describe.instant(incident.incidentAt)),
            NotificationFact("where", Describe.location(incident.location)),
            NotificationFact("incident", incident.incidentId),
            NotificationFact("reporting agency", incident.sourceAgencyId),
            NotificationFact("others involved", "\(incident.otherVictims) other victim(s), \(incident.otherSuspects) other suspect(s) (not named here)"),
        ]
        if let report = incident.reportNumber { facts.append(NotificationFact("report", report)) }
        facts.append(audience.groundFact)
        return BusNotification(
            recipient: audience.recipient, priority: .high,
            summary: "\(audience.whose) \(Describe.person(person)) is named as \(role) in a \(kind) at \(Describe.location(incident.location))",
            reason: NotificationReason(
                rule: audience.rule(SuperviseeIncident.rule(incident), kind: .incidents),
                explanation: "\(audience.ground); the incident names the person as \(role); matched on \(matched.map(\.name).joined(separator: " and ")).",
                matched: matched),
            facts: facts, occurredAt: incident.incidentAt, subjectStateId: incident.person.stateId,
            sourceEventId: incident.eventId, sourceEventType: ViolentIncidentReported.eventType,
            scope: audience.scope, recipientAgencyId: audience.recipientAgencyId, subjectFbiNumber: subject.fbiNumber ?? person?.fbiNumber)
    }
}
