import Foundation
import Contracts
import Notifications

/// The wording of rules `mental-health-bulletin` (a bulletin, to the police agency of the
/// person's registered address) and `mental-health-bulletin-withdrawn` (to every agency that
/// received it). Health information, sent only under the person's consent, in force and with a
/// scope including police: the baseline and key contacts go to no one else, and no summary line
/// names a diagnosis (the summary says only that a bulletin exists).
enum BulletinNotification {
    static func published(
        _ bulletin: EventEnvelope<MentalHealthBulletinPublished>, to police: Recipient, supervision: SupervisionCase, address: Address
    ) -> BusNotification {
        let payload = bulletin.payload
        var facts = [
            NotificationFact("who", Describe.identifiers(bulletin.subject ?? supervision.subject)),
            NotificationFact("bulletin", payload.bulletinId),
            NotificationFact("baseline", payload.baseline.summary),
        ]
        if let triggers = payload.baseline.triggers, !triggers.isEmpty { facts.append(NotificationFact("triggers", triggers.joined(separator: "; "))) }
        if let helps = payload.baseline.whatHelps, !helps.isEmpty { facts.append(NotificationFact("what helps", helps.joined(separator: "; "))) }
        for contact in payload.keyContacts {
            facts.append(NotificationFact("key contact", "\(contact.name) (\(contact.relationship)) \(contact.phone)"))
        }
        facts.append(NotificationFact("consent", "granted \(payload.consent.grantedOn), expires \(payload.consent.expiresOn); scope: \(payload.consent.scope)"))
        facts.append(NotificationFact("supervising agency", supervision.agencyId))
        return BusNotification(
            recipient: police, priority: .routine,
            summary: "Mental-health bulletin for crisis calls: \(Describe.person(bulletin.subject ?? supervision.subject)), living in \(address.city), \(address.state)",
            reason: NotificationReason(
                rule: BulletinRules.published,
                explanation: "The person lives in your jurisdiction and consented, until \(payload.consent.expiresOn), to share this bulletin with police. Delete it when withdrawn.",
                matched: matched(bulletin.subject ?? supervision.subject, bulletinId: payload.bulletinId)
                    + [MatchedIdentifier("city", "\(address.city), \(address.state)")]),
            facts: facts, occurredAt: bulletin.occurredAt, subjectStateId: bulletin.subject?.stateId ?? supervision.stateId,
            sourceEventId: bulletin.eventId.uuidString.lowercased(), sourceEventType: bulletin.eventType, scope: payload.bulletinId,
            subjectFbiNumber: bulletin.subject?.fbiNumber ?? supervision.fbiNumber)
    }

    /// `reason`: the withdrawal's (`consent_expired` when the consent ran out on a tick).
    static func withdrawn(
        bulletinId: String, reason: String, subject: SubjectIdentifiers?, to recipient: Recipient,
        sourceEventId: String, sourceEventType: String, occurredAt: Date
    ) -> BusNotification {
        BusNotification(
            recipient: recipient, priority: .routine,
            summary: "Delete mental-health bulletin \(bulletinId) of \(Describe.person(subject)): withdrawn (\(reason))",
            reason: NotificationReason(
                rule: BulletinRules.withdrawn,
                explanation: "You received this bulletin under the person's consent; it may no longer be shown. Delete it.",
                matched: matched(subject, bulletinId: bulletinId)),
            facts: [
                NotificationFact("who", Describe.identifiers(subject)),
                NotificationFact("bulletin", bulletinId),
                NotificationFact("reason", reason),
            ],
            occurredAt: occurredAt, subjectStateId: subject?.stateId,
            sourceEventId: sourceEventId, sourceEventType: sourceEventType, scope: bulletinId, subjectFbiNumber: subject?.fbiNumber)
    }

    private static func matched(_ subject: SubjectIdentifiers?, bulletinId: String) -> [MatchedIdentifier] {
        var matched: [MatchedIdentifier] = []
        if let stateId = subject?.stateId { matched.append(MatchedIdentifier("stateId", stateId)) }
        matched.append(MatchedIdentifier("bulletinId", bulletinId))
        return matched
    }
}
