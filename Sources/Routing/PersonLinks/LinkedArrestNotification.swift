import Contracts
import Notifications
import PersonLinks

/// The wording of rule `supervisee-arrested` when the arrest named no state ID and the person
/// index linked its record to the supervisee's case: the same facts as `ArrestNotification` (no
/// more personal data), plus how sure the link is — what decided it (a shared strong identifier,
/// the model's score, a human) and which fields agreed, never their values.
enum LinkedArrestNotification {
    static func make(_ arrest: EventEnvelope<ArrestMade>, supervision: SupervisionCase, recipient: Recipient, link: PersonLinkStore.Link?) -> BusNotification {
        matched(ArrestNotification.make(arrest, supervision: supervision, recipient: recipient), supervision: supervision, link: link)
    }

    /// Rule `supervisee-booked` alike: a booking that named no state ID, linked by the index.
    static func make(_ booking: EventEnvelope<BookingRecorded>, supervision: SupervisionCase, recipient: Recipient, link: PersonLinkStore.Link?) -> BusNotification {
        matched(BookingNotification.make(booking, for: .supervision(supervision, recipient)), supervision: supervision, link: link)
    }

    /// Rule `supervisee-police-contact` alike: a contact that named no state ID, linked by the
    /// index, on the grounds a contact matched by state ID would need; nil when none holds.
    static func make(_ contact: EventEnvelope<ContactRecorded>, supervision: SupervisionCase, recipient: Recipient, link: PersonLinkStore.Link?) -> BusNotification? {
        guard let (ground, matchedOn) = SuperviseePoliceContact.ground(of: contact.payload, for: supervision) else { return nil }
        var notice = matched(
            ContactNotification.make(contact, for: .supervision(supervision, recipient), ground: ground, matched: matchedOn),
            supervision: supervision, link: link)
        notice.reason.matched += matchedOn  // the household member or the address, beside the link
        return notice
    }

    /// `notification` (the rule's own wording) saying the match came through the index, and how
    /// sure it is. A notice without a state ID keeps the FBI number it is filed under (a case
    /// known by the FBI number alone): `BusNotification.subjectFbiNumber` reads it there, and a
    /// sealing order finds the notice by it.
    static func matched(_ notification: BusNotification, supervision: SupervisionCase, link: PersonLinkStore.Link?) -> BusNotification {
        var notification = notification
        let confidence = describe(link)
        let what = noun(notification.sourceEventType)
        let filedUnder = (notification.subjectStateId ?? "").isEmpty ? notification.subjectFbiNumber : nil
        notification.reason.matched = (filedUnder.map { [MatchedIdentifier("fbiNumber", $0)] } ?? [])
            + [MatchedIdentifier("personIndex", link?.decisionSource ?? "linked")]
        notification.reason.explanation = "You supervise case \(supervision.caseId), which was active on the day of this \(what). The \(what) named no state ID; the person index linked its record to your supervisee (\(confidence)). Check the identity before acting."
        notification.facts.append(NotificationFact("match", confidence))
        return notification
    }

    /// What the notice was about, in a word or two: "booking", "police contact" or "arrest".
    static func noun(_ eventType: String) -> String {
        switch eventType {
        case BookingRecorded.eventType: "booking"
        case ContactRecorded.eventType: "police contact"
        case let type where ReleaseEvents.eventTypes.contains(type): "release"
        default: "arrest"
        }
    }

    /// `model score 0.97; agreed: givenName, familyName, dateOfBirth` (`PersonLinks.Link.confidence`).
    static func describe(_ link: PersonLinkStore.Link?) -> String {
        link?.confidence ?? "linked by the person index"
    }

    /// Rule `supervisee-arrested-retracted`: the earlier notice concerned a different person.
    /// Names the earlier notification and the arrest, nothing more about anyone.
    static func retraction(of earlier: BusNotification, arrestEventId: String, caseId: String) -> BusNotification {
        let what = noun(earlier.sourceEventType)
        return BusNotification(
            recipient: earlier.recipient, priority: .high,
            summary: "Retraction: the earlier notice of \(what == "arrest" ? "an" : "a") \(what) (notification \(earlier.id)) concerned a different person, not your supervisee",
            reason: NotificationReason(
                rule: LinkedArrestRules.retractionRule,
                explanation: "The person index no longer links the \(what)'s record to your supervisee of case \(caseId) (a reviewer decided they are different people). Disregard notification \(earlier.id).",
                matched: [MatchedIdentifier("notification", earlier.id)]),
            facts: [NotificationFact("retracts", earlier.id), NotificationFact("case", caseId)],
            occurredAt: earlier.occurredAt, subjectStateId: earlier.subjectStateId,
            sourceEventId: arrestEventId, sourceEventType: earlier.sourceEventType,
            scope: earlier.id, recipientAgencyId: earlier.recipientAgencyId, subjectFbiNumber: earlier.subjectFbiNumber)
    }
}
