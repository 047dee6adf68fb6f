import Contracts
import Foundation
import Routing
import ServiceKit

/// Police events, cases with an address and household, and subscriptions for the police-event
/// rules' tests (`PoliceEventRulesTests`), with fixed ids and times.
extension Events {
    static let kcpd = SourceAgency(agencyId: "MO-KCPD", agencyKind: .police)
    /// Reyes's registered address, as the supervising agency wrote it.
    static let home = Address(line1: "4410 Troost Ave", line2: "Apt 2", city: "Kansas City", state: "MO", postalCode: "64110")
    /// Reyes's mother, on the case's household list.
    static let angela = HouseholdMember(name: PersonName(given: "Angela", family: "Reyes"), relationship: "mother")

    static func caseWithAddress(
        _ subject: SubjectIdentifiers = reyes, caseId: String = "CASE-1", officer: Officer? = brooks, address: Address? = home, id name: String = "case"
    ) -> EventEnvelope<CaseStarted> {
        EventEnvelope(
            eventId: id(name), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-DOC-PP", agencyKind: .communitySupervision),
            subject: subject,
            payload: CaseStarted(caseId: caseId, supervisionType: .parole, startDate: day(-30), supervisingAgencyId: "MO-DOC-PP", officer: officer, address: address))
    }

    static func addressChanged(
        caseId: String = "CASE-1", address: Address = home, household: [HouseholdMember]? = [angela], id name: String = "moved"
    ) -> EventEnvelope<AddressChanged> {
        EventEnvelope(
            eventId: id(name), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-DOC-PP", agencyKind: .communitySupervision),
            subject: reyes, payload: AddressChanged(caseId: caseId, address: address, effectiveDate: day(-20), householdMembers: household))
    }

    static func booking(_ subject: SubjectIdentifiers = reyes, at: Date = now.addingTimeInterval(-3_000), id name: String = "booking") -> EventEnvelope<BookingRecorded> {
        EventEnvelope(
            eventId: id(name), occurredAt: at, recordedAt: now, source: SourceAgency(agencyId: "MO-JACKSON-SO", agencyKind: .sheriff),
            subject: subject,
            payload: BookingRecorded(
                bookingNumber: "B-\(name)", facility: Facility(facilityId: "MO-JCDC", name: "Jackson County Detention Center", kind: .jail),
                bookedAt: at, arrestId: "A-arrest", charges: [Charge(code: "571.030", description: "Unlawful use of a weapon", level: .felony)]))
    }

    static func contact(
        _ relation: RelationToSubject = .subject, met: InvolvedPerson? = nil, at place: Location = Location(coordinates: Coordinates(latitude: 39.0411, longitude: -94.5406)),
        atResidence: Bool = false, subject: SubjectIdentifiers = reyes, when: Date = now.addingTimeInterval(-7_200), id name: String = "contact"
    ) -> EventEnvelope<ContactRecorded> {
        EventEnvelope(
            // The state ID alone when there is one (version 1); else the subject as given (version 2).
            eventId: id(name), occurredAt: when, recordedAt: now, source: kcpd,
            subject: subject.stateId == nil ? subject : SubjectIdentifiers(stateId: subject.stateId),
            payload: ContactRecorded(
                contactId: "C-\(name)", contactedAt: when, contactKind: relation == .subject ? .trafficStop : .domesticDisturbance,
                relationToSubject: relation, personContacted: met, location: place, atSubjectResidence: atResidence,
                summary: "Contact \(name)", officer: Officer(officerId: "KCPD-4471", name: "Ofc. J. Alvarez")))
    }

    static func incident(
        victims: [InvolvedPerson]? = nil, suspects: [InvolvedPerson]? = nil, at: Date = now.addingTimeInterval(-10_000), id name: String = "incident"
    ) -> EventEnvelope<ViolentIncidentReported> {
        EventEnvelope(
            eventId: id(name), occurredAt: at, recordedAt: now, source: kcpd, subject: nil,
            payload: ViolentIncidentReported(
                incidentId: "I-\(name)", incidentKind: .shooting, incidentAt: at,
                location: Location(address: Address(line1: "3300 Prospect Ave", city: "Kansas City", state: "MO")),
                victims: victims, suspects: suspects))
    }

    /// Marcus Reyes, a member of Reyes's household, as police name him in a contact (with his
    /// state ID, so the router files the notification under it: `NotificationMention`).
    static let marcusInvolved = InvolvedPerson(
        stateId: "MO5550001", name: PersonName(given: "Marcus", family: "Reyes"), dateOfBirth: CalendarDate("1999-03-04"))

    /// Police's domestic disturbance at Reyes's residence with Marcus, the household member they
    /// met: the contact the contact-mention tests route (`ContactNotification`).
    static func contactWithMarcus(id name: String) -> EventEnvelope<ContactRecorded> {
        contact(.householdMember, met: marcusInvolved, atResidence: true, id: name)
    }

    /// Reyes as an incident or investigation names him.
    static let reyesInvolved = InvolvedPerson(stateId: "MO1234567", name: PersonName(given: "Darnell", family: "Reyes"), underSupervision: true)
    static let hillInvolved = InvolvedPerson(stateId: "MO7654321", name: PersonName(given: "Marcus", family: "Hill"))

    static func investigationOpened(
        _ sensitivity: InvestigationSensitivity = .routine, persons: [InvolvedPerson] = [reyesInvolved], investigation: String = "INV-1",
        at: Date = now.addingTimeInterval(-5_000), id name: String = "opened"
    ) -> EventEnvelope<InvestigationOpened> {
        EventEnvelope(
            eventId: id(name), occurredAt: at, recordedAt: now, source: kcpd, subject: nil,
            payload: InvestigationOpened(
                investigationId: investigation, leadAgencyId: "MO-KCPD", sensitivity: sensitivity,
                summary: "Series of armed robberies near 31st and Prospect.", personsOfInterest: persons,
                area: InvestigationArea(center: Coordinates(latitude: 39.0689, longitude: -94.5552), radiusMeters: 800),
                contact: Officer(officerId: "KCPD-2210", name: "Det. R. Okafor", phone: "+1 816 234 5110")))
    }

    static func investigationUpdated(
        investigation: String = "INV-1", sensitivity: InvestigationSensitivity? = nil, persons: [InvolvedPerson]? = nil,
        at: Date = now.addingTimeInterval(-4_000), id name: String = "updated"
    ) -> EventEnvelope<InvestigationUpdated> {
        EventEnvelope(
            eventId: id(name), occurredAt: at, recordedAt: now, source: kcpd, subject: nil,
            payload: InvestigationUpdated(investigationId: investigation, sensitivity: sensitivity, personsOfInterest: persons))
    }

    static func investigationClosed(investigation: String = "INV-1", at: Date = now.addingTimeInterval(-1_000), id name: String = "closed") -> EventEnvelope<InvestigationClosed> {
        EventEnvelope(
            eventId: id(name), occurredAt: at, recordedAt: now, source: kcpd, subject: nil,
            payload: InvestigationClosed(investigationId: investigation))
    }

    /// A subscription of `subscriber` following Reyes (by state ID) for `kinds`, from 40 days ago
    /// for a year.
    static func subscription(
        _ subscriber: String = "unit:MO-KCPD-VCU", agency: String = "MO-KCPD", kinds: [SubscriptionEventKind],
        basis: SubscriptionLegalBasis = .criminalIntelligence, person: String = "MO1234567",
        starts: Date = now.addingTimeInterval(-40 * 86_400), expires: Date? = nil, cancelled: Bool = false, id name: String = "subscription"
    ) -> EventEnvelope<SubscriptionRecorded> {
        let subscriptionId = id(name).uuidString.lowercased()
        return EventEnvelope(
            eventId: id("\(name)-event\(cancelled ? "-cancelled" : "")"), occurredAt: starts, recordedAt: starts,
            source: SourceAgency(agencyId: agency, agencyKind: .police), subject: nil,
            payload: SubscriptionRecorded(
                subscriptionId: subscriptionId, subscriber: subscriber, subscriberAgencyId: agency,
                subject: SubscriptionSubject(person: SubscribedPerson(stateId: person)), eventKinds: kinds,
                purpose: "Violent crime task force: persons of interest", legalBasis: LegalBasis(basis: basis, citation: "28 CFR 23.20"),
                startsAt: starts, expiresAt: expires ?? starts.addingTimeInterval(360 * 86_400), createdBy: "officer:KCPD-2210", createdAt: starts,
                status: cancelled ? .cancelled : .active,
                cancellation: cancelled ? SubscriptionCancellation(cancelledAt: now.addingTimeInterval(-30 * 86_400), cancelledBy: "officer:KCPD-2210") : nil))
    }
}
