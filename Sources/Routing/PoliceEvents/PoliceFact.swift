import Contracts
import Foundation

/// A police event the router keeps, per person it names, so that a case or a subscription read
/// after it still matches it (the topics are not ordered between each other).
///
/// Bookings and contacts are about their subject and are kept whole (a contact without the
/// person police met once a sealing order covers them: `PoliceFactStore.seal`). Incidents and
/// investigations name several people: each person with a state ID (or, in version 2 of either,
/// an FBI number instead) gets a fact of their own,
/// holding that person and the event's facts about no one else (the others are counted, not
/// named), so that a sealing order removes a person's rows without touching anyone else's and
/// no row keeps a person it is not about.
enum PoliceFact: Codable, Sendable, Hashable {
    case booking(EventEnvelope<BookingRecorded>)
    case contact(EventEnvelope<ContactRecorded>)
    case incident(IncidentFact)
    case investigation(InvestigationFact)

    /// The person police met in a contact with someone else (`personContacted`), nil otherwise.
    var personContacted: InvolvedPerson? {
        guard case .contact(let contact) = self else { return nil }
        return contact.payload.personContacted
    }

    /// The `kind` column of `police_facts`.
    var kind: String {
        switch self {
        case .booking: "booking"
        case .contact: "contact"
        case .incident: "incident"
        case .investigation: "investigation"
        }
    }

    /// The identifiers of the person the fact is about: a booking's or contact's subject (state
    /// ID or FBI number), an involved person's state ID or FBI number.
    var person: SubjectIdentifiers {
        switch self {
        case .booking(let booking): booking.subject ?? SubjectIdentifiers()
        case .contact(let contact): contact.subject ?? SubjectIdentifiers()
        case .incident(let incident):
            SubjectIdentifiers(
                stateId: incident.person.stateId, fbiNumber: incident.person.fbiNumber, name: incident.person.name,
                dateOfBirth: incident.person.dateOfBirth)
        case .investigation(let investigation):
            SubjectIdentifiers(
                stateId: investigation.person.stateId, fbiNumber: investigation.person.fbiNumber, name: investigation.person.name,
                dateOfBirth: investigation.person.dateOfBirth)
        }
    }

    /// When it happened: the day a case must cover (UTC) and the moment a subscription must be
    /// active at.
    var occurredAt: Date {
        switch self {
        case .booking(let booking): booking.payload.bookedAt
        case .contact(let contact): contact.payload.contactedAt
        case .incident(let incident): incident.incidentAt
        case .investigation(let investigation): investigation.occurredAt
        }
    }

    /// The source event's id (lower case).
    var sourceEventId: String {
        switch self {
        case .booking(let booking): booking.eventId.uuidString.lowercased()
        case .contact(let contact): contact.eventId.uuidString.lowercased()
        case .incident(let incident): incident.eventId
        case .investigation(let investigation): investigation.eventId
        }
    }

    /// The subscription event kind that covers it (`SubscriptionEventKind`).
    var subscriptionKind: SubscriptionEventKind {
        switch self {
        case .booking: .bookings
        case .contact: .contacts
        case .incident: .incidents
        case .investigation: .investigations
        }
    }
}

/// What a violent incident says about one person it names, and about the incident.
struct IncidentFact: Codable, Sendable, Hashable {
    var eventId: String
    var sourceAgencyId: String
    var incidentId: String
    var incidentKind: ViolentIncidentKind
    var incidentAt: Date
    var location: Location
    var reportNumber: String?
    /// The person, as the incident names them (a state ID or an FBI number, perhaps a name and
    /// date of birth).
    var person: InvolvedPerson
    /// Whether the incident lists them as a victim, as a suspect, or both.
    var victim: Bool
    var suspect: Bool
    /// How many other people it lists in each role (not who: they are not this row's person).
    var otherVictims: Int
    var otherSuspects: Int
}

/// What an investigation says, as of one of its opened or updated events, and one person of
/// interest it names then. Criminal intelligence (28 CFR Part 23): removed when the
/// investigation closes.
struct InvestigationFact: Codable, Sendable, Hashable {
    var eventId: String
    /// `police.investigation.opened` or `police.investigation.updated`.
    var eventType: String
    var occurredAt: Date
    var investigationId: String
    var state: InvestigationState
    var person: InvolvedPerson
}

/// An open investigation as its events so far describe it (an update changes what it names).
/// Persons of interest are kept apart (`police_investigation_people`), each by state ID.
struct InvestigationState: Codable, Sendable, Hashable {
    var leadAgencyId: String
    var sensitivity: InvestigationSensitivity
    var summary: String?
    var area: InvestigationArea?
    var contact: Officer?
}
