import Contracts
import Foundation
import Notifications
import ServiceKit

/// The wording of the resident rules: what a police agency reads about a supervisee registered
/// at an address in its jurisdiction. Every notification is routed for the supervision case
/// (its scope), so a sealing order for the case finds it.
enum ResidentNotification {
    /// Rule `resident-warrant`: a warrant or detainer event of a supervisee living there.
    static func warrant(_ fact: WarrantFact, supervision: SupervisionCase, address: Address, police: Recipient) -> BusNotification {
        BusNotification(
            recipient: police, priority: .routine,
            summary: "Supervisee living in \(address.city), \(address.state): \(Describe.person(fact.subject)): \(fact.what)",
            reason: NotificationReason(
                rule: ResidentRules.residentWarrant,
                explanation: "The person's registered address on the day of this event is in your jurisdiction (agency directory).",
                matched: fact.matched + [MatchedIdentifier("city", "\(address.city), \(address.state)")]),
            facts: fact.facts + caseFacts(supervision, address: address),
            occurredAt: fact.occurredAt, subjectStateId: fact.subject?.stateId ?? supervision.stateId,
            sourceEventId: fact.eventId, sourceEventType: fact.eventType, scope: supervision.caseId,
            subjectFbiNumber: fact.subject?.fbiNumber ?? supervision.fbiNumber)
    }

    /// Rules `resident-supervision-started`, `-ended`, `resident-moved-in` and `-out`: a
    /// supervision case event that makes (or stops making) a supervisee a resident of the
    /// police agency's jurisdiction.
    static func supervision(
        rule: String, what: String, supervision: SupervisionCase, address: Address, police: Recipient,
        event: AdmittedEvent, occurredAt: Date
    ) -> BusNotification {
        BusNotification(
            recipient: police, priority: .routine,
            summary: "\(Describe.person(supervision.subject)) \(what) (\(address.city), \(address.state))",
            reason: NotificationReason(
                rule: rule,
                explanation: rule == ResidentRules.movedOut
                    ? "The supervisee's previous registered address is in your jurisdiction (agency directory)."
                    : "The supervisee's registered address is in your jurisdiction (agency directory).",
                matched: matched(supervision) + [MatchedIdentifier("city", "\(address.city), \(address.state)")]),
            facts: [NotificationFact("who", Describe.identifiers(supervision.subject)), NotificationFact("what", what)]
                + caseFacts(supervision, address: address),
            occurredAt: occurredAt, subjectStateId: supervision.stateId,
            sourceEventId: event.eventId, sourceEventType: event.eventType, scope: supervision.caseId,
            subjectFbiNumber: supervision.fbiNumber)
    }

    /// The case, its supervising agency and officer, and the address the rule placed the person at.
    private static func caseFacts(_ supervision: SupervisionCase, address: Address) -> [NotificationFact] {
        var facts = [
            NotificationFact("case", "\(supervision.caseId) (\(supervision.supervisionType), \(supervision.agencyId))"),
            NotificationFact("supervision", "from \(supervision.startDate)" + (supervision.endDate.map { " to \($0)" } ?? "")),
        ]
        if let officer = supervision.officerId {
            facts.append(NotificationFact("officer", supervision.officerName.map { "\($0) (\(officer))" } ?? officer))
        }
        facts.append(NotificationFact("registered address", Describe.address(address) ?? "\(address.city), \(address.state)"))
        return facts
    }

    private static func matched(_ supervision: SupervisionCase) -> [MatchedIdentifier] {
        var matched: [MatchedIdentifier] = []
        if let stateId = supervision.stateId { matched.append(MatchedIdentifier("stateId", stateId)) }
        else if let fbi = supervision.fbiNumber { matched.append(MatchedIdentifier("fbiNumber", fbi)) }
        matched.append(MatchedIdentifier("caseId", supervision.caseId))
        return matched
    }
}
