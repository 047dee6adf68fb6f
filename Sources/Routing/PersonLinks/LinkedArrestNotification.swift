import Contracts
import Notifications

/// The wording of rule `supervisee-arrested` when the arrest named no state ID and the person
/// index linked its record to the supervisee's case: the same facts as `ArrestNotification` (no
/// more personal data), plus how sure the link is — what decided it (a shared strong identifier,
/// the model's score, a human) and which fields agreed, never their values.
enum LinkedArrestNotification {
    static func make(_ arrest: EventEnvelope<ArrestMade>, supervision: SupervisionCase, recipient: Recipient, link: PersonLinkStore.Link?) -> BusNotification {
        var notification = ArrestNotification.make(arrest, supervision: supervision, recipient: recipient)
        let confidence = describe(link)
        notification.reason.matched = [MatchedIdentifier("personIndex", link?.decisionSource ?? "linked")]
        notification.reason.explanation = "You supervise case \(supervision.caseId), which was active on the day of this arrest. The arrest named no state ID; the person index linked its record to your supervisee (\(confidence)). Check the identity before acting."
        notification.facts.append(NotificationFact("match", confidence))
        return notification
    }

    /// `model score 0.97; agreed: givenName, familyName, dateOfBirth`.
    static func describe(_ link: PersonLinkStore.Link?) -> String {
        guard let link else { return "linked by the person index" }
        let source = switch link.decisionSource {
        case "strong_identifier": "a shared strong identifier"
        case "model": "model score \(link.score.map { String(format: "%.3f", $0) } ?? "unknown")"
        case "human": "decided by a reviewer"
        default: "linked by the person index"
        }
        return link.agreed.isEmpty ? source : "\(source); agreed: \(link.agreed.joined(separator: ", "))"
    }

    /// Rule `supervisee-arrested-retracted`: the earlier notice concerned a different person.
    /// Names the earlier notification and the arrest, nothing more about anyone.
    static func retraction(of earlier: BusNotification, arrestEventId: String, caseId: String) -> BusNotification {
        BusNotification(
            recipient: earlier.recipient, priority: .high,
            summary: "Retraction: the earlier notice of an arrest (notification \(earlier.id)) concerned a different person, not your supervisee",
            reason: NotificationReason(
                rule: LinkedArrestRules.retractionRule,
                explanation: "The person index no longer links the arrest's record to your supervisee of case \(caseId) (a reviewer decided they are different people). Disregard notification \(earlier.id).",
                matched: [MatchedIdentifier("notification", earlier.id)]),
            facts: [NotificationFact("retracts", earlier.id), NotificationFact("case", caseId)],
            occurredAt: earlier.occurredAt, subjectStateId: earlier.subjectStateId,
            sourceEventId: arrestEventId, sourceEventType: ArrestMade.eventType,
            scope: earlier.id, recipientAgencyId: earlier.recipientAgencyId)
    }
}
