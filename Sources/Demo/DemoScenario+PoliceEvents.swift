import Contracts
import Foundation
import Pipeline

/// The police events of `dev --demo`, one per rule of the router's police-event family
/// (`Sources/Routing/PoliceEvents`), about Darnell Reyes (case PP-KC-2025-3391, officer Brooks,
/// registered at 4410 Troost Ave): a jail booking, a shooting he is the victim of, a robbery he
/// is a suspect in, a police contact at his home with his brother, a task-force unit's
/// 28 CFR Part 23 subscription, a routine investigation naming him, and its closure.
///
/// `dev --demo` runs them (``withPoliceEvents()``); the scenario's own steps, which the
/// end-to-end, replay and sealing tests check notification by notification, stay flows A, B
/// and the variant (`PoliceEventsEndToEndTests` checks these).
extension DemoScenario {
    /// The scenario followed by ``policeEventSteps(now:run:)``.
    public func withPoliceEvents() throws -> DemoScenario {
        var scenario = self
        scenario.steps += try Self.policeEventSteps(now: now, run: run)
        return scenario
    }

    /// The steps, after flow A's case and arrest; ids from `run` and the step name.
    public static func policeEventSteps(now: Date, run: String) throws -> [Step] {
        func id(_ step: String) -> UUID { ScenarioEvent.eventId("\(run)/\(step)") }
        let investigation = "KCPD-INV-25-0091"
        return [
            Step(name: "P1 booking", event: try booking(reyes, bookingNumber: "2025-005120", at: now.addingTimeInterval(-3_000), now: now, id: id("P1")),
                 readBy: .router),
            Step(name: "P2 shooting, victim", event: try violentIncident(
                incidentId: "KCPD-I-25-004512", kind: .shooting, victims: [involved(reyes)], suspects: [InvolvedPerson(name: PersonName(family: "Unknown"))],
                at: now.addingTimeInterval(-2 * 86_400), now: now, id: id("P2")), readBy: .router),
            Step(name: "P3 robbery, suspect", event: try violentIncident(
                incidentId: "KCPD-I-25-004530", kind: .robbery, victims: [InvolvedPerson(name: PersonName(given: "Jamal", family: "Carter"))],
                suspects: [involved(reyes)], at: now.addingTimeInterval(-86_400), now: now, id: id("P3")), readBy: .router),
            Step(name: "P4 contact at home", event: try householdContact(
                reyes, contactId: "KCPD-C-25-77120", met: PersonName(given: "Marcus", family: "Reyes"),
                at: Address(line1: "4410 Troost Avenue", city: "Kansas City", state: "MO"), when: now.addingTimeInterval(-5 * 3_600), now: now,
                id: id("P4")), readBy: .router),
            Step(name: "P5 task-force subscription", event: try partTwentyThreeSubscription(
                reyes, subscriber: "unit:MO-KCPD-VCU", agency: "MO-KCPD", now: now, id: id("P5"), subscriptionId: id("P5-subscription")),
                 readBy: .router),
            Step(name: "P6 investigation opened", event: try investigationOpened(
                investigationId: investigation, personsOfInterest: [involved(reyes)], at: now.addingTimeInterval(-4 * 3_600), now: now, id: id("P6")),
                 readBy: .router),
            Step(name: "P7 investigation closed", event: try investigationClosed(
                investigationId: investigation, at: now.addingTimeInterval(-3_600), now: now, id: id("P7")), readBy: .router),
        ]
    }

    /// A person as an incident or investigation names them: state ID, name, date of birth.
    public static func involved(_ subject: SubjectIdentifiers) -> InvolvedPerson {
        InvolvedPerson(stateId: subject.stateId, name: subject.name, dateOfBirth: subject.dateOfBirth, underSupervision: true)
    }

    private static let kcpd = SourceAgency(agencyId: "MO-KCPD", agencyKind: .police)

    public static func booking(_ subject: SubjectIdentifiers, bookingNumber: String, at: Date, now: Date, id: UUID) throws -> ScenarioEvent {
        try ScenarioEvent(topic: "police.arrests", EventEnvelope(
            eventId: id, occurredAt: at, recordedAt: now, source: SourceAgency(agencyId: "MO-JCSO", agencyKind: .sheriff),
            subject: SubjectIdentifiers(stateId: subject.stateId, bookingNumber: bookingNumber),
            payload: BookingRecorded(
                bookingNumber: bookingNumber, facility: jacksonJail, bookedAt: at, arrestId: "KCPD-A-25-018832",
                charges: [Charge(code: "571.030", description: "Unlawful use of a weapon", level: .felony)])))
    }

    public static func violentIncident(
        incidentId: String, kind: ViolentIncidentKind, victims: [InvolvedPerson], suspects: [InvolvedPerson], at: Date, now: Date, id: UUID
    ) throws -> ScenarioEvent {
        try ScenarioEvent(topic: "police.incidents", key: incidentId, EventEnvelope(
            eventId: id, occurredAt: at, recordedAt: now, source: kcpd, subject: nil,
            payload: ViolentIncidentReported(
                incidentId: incidentId, incidentKind: kind, incidentAt: at,
                location: Location(address: Address(line1: "3300 Prospect Ave", city: "Kansas City", state: "MO"),
                                   coordinates: Coordinates(latitude: 39.0652, longitude: -94.5551)),
                victims: victims, suspects: suspects, reportNumber: "KCPD-25-\(incidentId.suffix(6))")))
    }

    public static func householdContact(
        _ subject: SubjectIdentifiers, contactId: String, met: PersonName, at address: Address, when: Date, now: Date, id: UUID
    ) throws -> ScenarioEvent {
        try ScenarioEvent(topic: "police.contacts", EventEnvelope(
            eventId: id, occurredAt: when, recordedAt: now, source: kcpd, subject: SubjectIdentifiers(stateId: subject.stateId),
            payload: ContactRecorded(
                contactId: contactId, contactedAt: when, contactKind: .domesticDisturbance, relationToSubject: .householdMember,
                personContacted: InvolvedPerson(name: met), location: Location(address: address), atSubjectResidence: false,
                summary: "Verbal dispute between brothers; no arrest; referred to family services.",
                officer: Officer(officerId: "KCPD-4471", name: "Ofc. J. Alvarez", phone: "+1 816 234 5000"))))
    }

    /// A task-force unit's subscription following `subject` for investigations and incidents on a
    /// 28 CFR Part 23 basis, from a day before `now` for 180 days.
    public static func partTwentyThreeSubscription(
        _ subject: SubjectIdentifiers, subscriber: String, agency: String, now: Date, id: UUID, subscriptionId: UUID
    ) throws -> ScenarioEvent {
        let starts = now.addingTimeInterval(-86_400)
        let key = subscriptionId.uuidString.lowercased()
        return try ScenarioEvent(topic: "bus.subscriptions", key: key, EventEnvelope(
            eventId: id, occurredAt: starts, recordedAt: starts, source: SourceAgency(agencyId: agency, agencyKind: .police), subject: nil,
            payload: SubscriptionRecorded(
                subscriptionId: key, subscriber: subscriber, subscriberAgencyId: agency,
                subject: SubscriptionSubject(person: SubscribedPerson(stateId: subject.stateId)), eventKinds: [.incidents, .investigations],
                purpose: "Violent crime task force: reasonable suspicion of involvement in armed robberies",
                legalBasis: LegalBasis(basis: .criminalIntelligence, citation: "28 CFR 23.20"), startsAt: starts,
                expiresAt: starts.addingTimeInterval(180 * 86_400), createdBy: "officer:KCPD-2210", createdAt: starts)))
    }

    public static func investigationOpened(
        investigationId: String, personsOfInterest: [InvolvedPerson], at: Date, now: Date, id: UUID
    ) throws -> ScenarioEvent {
        try ScenarioEvent(topic: "police.investigations", key: investigationId, EventEnvelope(
            eventId: id, occurredAt: at, recordedAt: now, source: kcpd, subject: nil,
            payload: InvestigationOpened(
                investigationId: investigationId, leadAgencyId: "MO-KCPD", sensitivity: .routine,
                summary: "Series of armed robberies near 31st and Prospect.", personsOfInterest: personsOfInterest,
                area: InvestigationArea(center: Coordinates(latitude: 39.0689, longitude: -94.5552), radiusMeters: 800),
                contact: Officer(officerId: "KCPD-2210", name: "Det. R. Okafor", phone: "+1 816 234 5110"))))
    }

    public static func investigationClosed(investigationId: String, at: Date, now: Date, id: UUID) throws -> ScenarioEvent {
        try ScenarioEvent(topic: "police.investigations", key: investigationId, EventEnvelope(
            eventId: id, occurredAt: at, recordedAt: now, source: kcpd, subject: nil,
            payload: InvestigationClosed(investigationId: investigationId)))
    }
}
