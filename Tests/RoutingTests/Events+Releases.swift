import Contracts
import Foundation
import Kafka
import Routing
import ServiceKit
import Timers

/// Events for the release, bulletin and subscription-expiry rules' tests, with fixed ids and
/// times around `Events.now`.
extension Events {
    static let kansasCity = Address(line1: "1200 E 31st St", city: "Kansas City", state: "MO", postalCode: "64109")
    static let independence = Address(line1: "200 S Main St", city: "Independence", state: "MO", postalCode: "64050")
    static let werdcc = Facility(facilityId: "MO-WERDCC", name: "Western Reception Diagnostic Correctional Center", kind: .prison)
    static let jail = Facility(facilityId: "MO-JCDC", name: "Jackson County Detention Center", kind: .jail)
    static let prison = SourceAgency(agencyId: "MO-DOC", agencyKind: .prison)
    static let parole = SourceAgency(agencyId: "MO-DOC-PP", agencyKind: .communitySupervision)

    static func at(days: Double) -> Date { now.addingTimeInterval(days * 86_400) }

    // MARK: Directory

    static func agency(_ agencyId: String, _ kind: AgencyKind, name: String, places: [String], state: String = "MO") -> EventEnvelope<AgencyDescribed> {
        EventEnvelope(
            eventId: id("agency-\(agencyId)"), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-BUS-OPS", agencyKind: .fusionCenter),
            subject: nil, payload: AgencyDescribed(agencyId: agencyId, kind: kind, name: name, jurisdiction: AgencyJurisdiction(state: state, places: places)))
    }

    static let kcpdEntry = agency("MO-KCPD", .police, name: "Kansas City Missouri Police Department", places: ["Kansas City"])
    static let kcReentryEntry = agency("MO-KC-REENTRY", .reentryServices, name: "KC Reentry Partners", places: ["Kansas City", "Raytown"])

    // MARK: Cases

    static func caseStarted(_ subject: SubjectIdentifiers = reyes, address: Address?, caseId: String = "CASE-1", start: CalendarDate = day(-30), id name: String = "case") -> EventEnvelope<CaseStarted> {
        EventEnvelope(
            eventId: id(name), occurredAt: now, recordedAt: now, source: parole, subject: subject,
            payload: CaseStarted(caseId: caseId, supervisionType: .parole, startDate: start, supervisingAgencyId: "MO-DOC-PP", officer: brooks, address: address))
    }

    // MARK: Releases

    static func releaseScheduled(
        _ subject: SubjectIdentifiers? = reyes, releaseId: String = "R-1", expected: Date, to destination: Address? = kansasCity,
        occurredAt: Date = now, supervisingAgencyId: String? = nil, id name: String = "scheduled"
    ) -> EventEnvelope<ReleaseScheduled> {
        EventEnvelope(
            eventId: id(name), occurredAt: occurredAt, recordedAt: occurredAt, source: prison, subject: subject,
            payload: ReleaseScheduled(releaseId: releaseId, facility: werdcc, expectedAt: expected, releaseType: .parole, destination: destination,
                                      supervisionType: .parole, supervisingAgencyId: supervisingAgencyId))
    }

    static func releaseChanged(releaseId: String = "R-1", expected: Date, previous: Date? = nil, occurredAt: Date = now, id name: String = "changed") -> EventEnvelope<ReleaseChanged> {
        EventEnvelope(
            eventId: id(name), occurredAt: occurredAt, recordedAt: occurredAt, source: prison, subject: reyes,
            payload: ReleaseChanged(releaseId: releaseId, reason: "Earned compliance credits applied", expectedAt: expected, previousExpectedAt: previous))
    }

    static func releaseCancelled(releaseId: String = "R-1", occurredAt: Date = now, id name: String = "cancelled") -> EventEnvelope<ReleaseCancelled> {
        EventEnvelope(
            eventId: id(name), occurredAt: occurredAt, recordedAt: occurredAt, source: prison, subject: reyes,
            payload: ReleaseCancelled(releaseId: releaseId, reason: "Detainer lodged by another county"))
    }

    static let sheriff = SourceAgency(agencyId: "MO-JACKSON-SO", agencyKind: .sheriff)

    /// A jail's release by the sheriff's office (`by`: the prison's, for one it scheduled: only
    /// the agency that scheduled a release completes it).
    static func releaseCompleted(
        _ subject: SubjectIdentifiers = reyes, releaseId: String = "R-1", at: Date = now, to destination: Address? = kansasCity, id name: String = "completed",
        by source: SourceAgency = sheriff
    ) -> EventEnvelope<ReleaseCompleted> {
        EventEnvelope(
            eventId: id(name), occurredAt: at, recordedAt: at, source: source, subject: subject,
            payload: ReleaseCompleted(releaseId: releaseId, facility: jail, releasedAt: at, releaseType: .bailBond, destination: destination))
    }

    // MARK: Assessments and incidents

    static func assessment(
        _ subject: SubjectIdentifiers = reyes, risk: RiskLevel, needs: [AssessedNeed]? = nil, completedOn: CalendarDate = day(-10), id name: String = "assessment"
    ) -> EventEnvelope<AssessmentCompleted> {
        EventEnvelope(
            eventId: id(name), occurredAt: now, recordedAt: now, source: prison, subject: subject,
            payload: AssessmentCompleted(assessmentId: "ORAS-\(name)", instrument: "ORAS-RT", completedOn: completedOn, riskLevel: risk, needs: needs))
    }

    static func incident(victim stateId: String, at: Date, id name: String = "incident") -> EventEnvelope<ViolentIncidentReported> {
        EventEnvelope(
            eventId: id(name), occurredAt: at, recordedAt: at, source: SourceAgency(agencyId: "MO-KCPD", agencyKind: .police), subject: nil,
            payload: ViolentIncidentReported(
                incidentId: "KCPD-I-\(name)", incidentKind: .shooting, incidentAt: at,
                location: Location(address: Address(line1: "3300 Prospect Ave", city: "Kansas City", state: "MO")),
                victims: [InvolvedPerson(stateId: stateId, underSupervision: true)]))
    }

    // MARK: Bulletins

    static func bulletinPublished(
        _ subject: SubjectIdentifiers = reyes, granted: CalendarDate = day(-5), expires: CalendarDate = day(200),
        scope: String = "Kansas City Police Department patrol and crisis intervention team", id name: String = "bulletin"
    ) -> EventEnvelope<MentalHealthBulletinPublished> {
        EventEnvelope(
            eventId: id(name), occurredAt: now, recordedAt: now, source: parole, subject: subject,
            payload: MentalHealthBulletinPublished(
                bulletinId: "MHB-\(name)", consent: BulletinConsent(grantedOn: granted, expiresOn: expires, scope: scope),
                baseline: BulletinBaseline(summary: "Calm and talkative when well.", triggers: ["Raised voices"], whatHelps: ["Speak slowly"]),
                keyContacts: [KeyContact(name: "Angela Reyes", relationship: "mother", phone: "+1 816 555 0142")]))
    }

    static func bulletinWithdrawn(_ subject: SubjectIdentifiers = reyes, bulletin: String = "bulletin", id name: String = "withdrawn") -> EventEnvelope<MentalHealthBulletinWithdrawn> {
        EventEnvelope(
            eventId: id(name), occurredAt: now, recordedAt: now, source: parole, subject: subject,
            payload: MentalHealthBulletinWithdrawn(bulletinId: "MHB-\(bulletin)", reason: .consentRevoked))
    }

    // MARK: Subscriptions

    static func subscription(
        _ subject: SubscriptionSubject, subscriber: String = "unit:MO-KCPD-VCU", kinds: [SubscriptionEventKind] = [.releases],
        startsAt: Date = at(days: -10), expiresAt: Date = at(days: 300), status: SubscriptionStatus = .active, id name: String = "subscription",
        createdAt: Date? = nil
    ) -> EventEnvelope<SubscriptionRecorded> {
        EventEnvelope(
            eventId: id("\(name)-event-\(expiresAt.timeIntervalSince1970)"), occurredAt: startsAt, recordedAt: startsAt,
            source: SourceAgency(agencyId: "MO-KCPD", agencyKind: .police), subject: nil,
            payload: SubscriptionRecorded(
                subscriptionId: id(name).uuidString.lowercased(), subscriber: subscriber, subscriberAgencyId: "MO-KCPD", subject: subject,
                eventKinds: kinds, purpose: "Violent crime unit follows releases", legalBasis: LegalBasis(basis: .informationSharingAgreement, citation: "MOU KCPD-MODOC 2024-07"),
                startsAt: startsAt, expiresAt: expiresAt, createdBy: "operator:bus-ops-1", createdAt: createdAt ?? startsAt, status: status))
    }

    // MARK: Clock

    /// The tick of the minute containing `instant`, as the runtime hands it over.
    static func tick(_ instant: Date) -> AdmittedEvent {
        let tick = TimerTick(minuteOf: instant)
        return AdmittedEvent(
            topicPartition: TopicPartition(topic: TimerTick.topic, partition: 0), offset: KafkaOffset(0), key: TimerTick.minuteClock,
            eventType: TimerTick.eventType, schemaVersion: 1, eventId: tick.id, value: tick.encoded(), timestampMilliseconds: tick.atMilliseconds)
    }
}
