import Contracts
import Notifications

/// The wording of rule `supervisee-police-contact` (and `subscription-contacts`): what the
/// recipient reads about a police contact with their person or the household. The contact's
/// fields are criminal justice information and personal identifiers, which the supervising
/// agency (a consumer of `police.contacts`) may see: nothing is withheld. How the person police
/// met is named, and taken out again under a sealing order, is `ContactMention`'s.
enum ContactNotification {
    static func make(
        _ contact: EventEnvelope<ContactRecorded>, for audience: PoliceAudience, ground: SuperviseePoliceContact.Ground?,
        matched extra: [MatchedIdentifier]
    ) -> BusNotification {
        let payload = contact.payload
        let person = audience.person(contact.subject)
        let kind = payload.contactKind.rawValue.replacingOccurrences(of: "_", with: " ")
        let met: String
        // The person police met, by the digest of their state ID when the event gives it: not what
        // matched, but what a sealing order for them finds the notification by (`NotificationMention`).
        var mentions: [MatchedIdentifier] = []
        switch payload.relationToSubject {
        case .subject: met = Describe.person(person)
        case .householdMember, .associate:
            if let contacted = payload.personContacted {
                met = ContactMention.met(name: Describe.name(contacted.name), relation: payload.relationToSubject, subject: Describe.person(person))
                if let stateId = contacted.stateId, !stateId.isEmpty {
                    mentions.append(NotificationMention.mention(stateId: stateId))
                }
            } else {
                // Only a sealing order takes the person out (`check` refuses a contact that never
                // named them): the router's kept contact, or one read after the order.
                met = ContactMention.withdrawn(relation: payload.relationToSubject, subject: Describe.person(person))
            }
        }
        let matched = audience.matched(contact.subject) + extra
        let why: String
        switch ground {
        case .supervisee?: why = "police met the person themself"
        case .householdMember?: why = "police met a member of the household listed with the case's registered address"
        case .registeredAddress?:
            why = extra.first?.name == "atSubjectResidence"
                ? "police recorded the contact as at the person's residence"
                : "the contact was at the case's registered address"
        case nil: why = "police recorded a contact concerning the person (\(payload.relationToSubject.rawValue))"
        }
        var facts = [
            NotificationFact("who", Describe.identifiers(person)),
            NotificationFact("met", met),
            NotificationFact("what", kind),
            NotificationFact("when", Describe.instant(payload.contactedAt)),
            NotificationFact("where", Describe.location(payload.location) + (payload.atSubjectResidence ? " (the person's residence, per police)" : "")),
            NotificationFact("contact", payload.contactId),
            NotificationFact("police agency", contact.source.agencyId),
        ]
        if let ground { facts.append(NotificationFact("reason", ground.rawValue)) }
        if let summary = payload.summary { facts.append(NotificationFact("summary", summary)) }
        if let officer = payload.officer {
            facts.append(NotificationFact("police officer", ([officer.name, officer.officerId] + [officer.phone].compactMap { $0 }).joined(separator: ", ")))
        }
        if let report = payload.reportNumber { facts.append(NotificationFact("report", report)) }
        facts.append(audience.groundFact)
        return BusNotification(
            recipient: audience.recipient, priority: .routine,
            summary: "Police contact (\(kind)) with \(met) at \(Describe.location(payload.location))",
            reason: NotificationReason(
                rule: audience.rule(SuperviseePoliceContact.rule, kind: .contacts),
                explanation: "\(audience.ground); \(why); matched on \(matched.map(\.name).joined(separator: " and ")).",
                matched: matched + mentions),
            facts: facts, occurredAt: payload.contactedAt, subjectStateId: person?.stateId ?? contact.subject?.stateId,
            sourceEventId: contact.eventId.uuidString.lowercased(), sourceEventType: ContactRecorded.eventType,
            scope: audience.scope, recipientAgencyId: audience.recipientAgencyId, subjectFbiNumber: contact.subject?.fbiNumber)
    }
}
