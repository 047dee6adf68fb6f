import Contracts
import Notifications

/// The wording of rule `supervisee-booked` (and `subscription-bookings`): what the recipient
/// reads about a jail booking. Every field of the booking is criminal justice information,
/// which the supervising agency (a consumer of `police.arrests`) may see: nothing is withheld.
enum BookingNotification {
    static func make(_ booking: EventEnvelope<BookingRecorded>, for audience: PoliceAudience) -> BusNotification {
        let payload = booking.payload
        let person = audience.person(booking.subject)
        let matched = audience.matched(booking.subject)
        var facts = [
            NotificationFact("who", Describe.identifiers(person)),
            NotificationFact("what", "booked into \(payload.facility.name) (\(payload.facility.facilityId)): \(Describe.charges(payload.charges))"),
            NotificationFact("when", Describe.instant(payload.bookedAt)),
            NotificationFact("booking", payload.bookingNumber),
            NotificationFact("booking agency", booking.source.agencyId),
        ]
        if let arrest = payload.arrestId { facts.append(NotificationFact("arrest", arrest)) }
        facts.append(audience.groundFact)
        let rule = audience.rule(SuperviseeBooked.rule, kind: .bookings)
        return BusNotification(
            recipient: audience.recipient, priority: .high,
            summary: "\(audience.whose) \(Describe.person(person)) was booked into \(payload.facility.name): \(Describe.charges(payload.charges))",
            reason: NotificationReason(
                rule: rule,
                explanation: "\(audience.ground); matched on \(matched.map(\.name).joined(separator: " and ")).",
                matched: matched),
            facts: facts, occurredAt: payload.bookedAt, subjectStateId: person?.stateId ?? booking.subject?.stateId,
            sourceEventId: booking.eventId.uuidString.lowercased(), sourceEventType: BookingRecorded.eventType,
            scope: audience.scope, recipientAgencyId: audience.recipientAgencyId, subjectFbiNumber: booking.subject?.fbiNumber)
    }
}
