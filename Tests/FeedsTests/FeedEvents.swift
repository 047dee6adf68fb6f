import Contracts
import Foundation
import Kafka
import Timers

@testable import ServiceKit

let topicsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Topics", isDirectory: true)

let catalog: TopicCatalog = try! TopicCatalog.load(from: topicsDirectory)

/// Events as the runtime admits them to the feeds service (with their headers, which the
/// service checks the directory and the ticks against), at chosen Kafka timestamps.
enum FeedEvents {
    /// 2026-03-03T12:00:00Z.
    static let noon: Int64 = 1_772_539_200_000
    static let minute: Int64 = 60_000
    static let hour: Int64 = 60 * minute

    static func instant(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    static func headers(type: String, id: String) -> [KafkaHeader] {
        [KafkaHeader(key: EventHeaders.eventType, value: type), KafkaHeader(key: EventHeaders.schemaVersion, value: "1"),
         KafkaHeader(key: EventHeaders.eventId, value: id), KafkaHeader(key: EventHeaders.contentType, value: EventHeaders.json)]
    }

    static func admitted<Payload>(_ event: EventEnvelope<Payload>, topic: String, key: String, at kafkaTime: Int64?) throws -> AdmittedEvent {
        let id = event.eventId.uuidString.lowercased()
        return AdmittedEvent(
            topicPartition: TopicPartition(topic: topic, partition: 0), offset: KafkaOffset(0), key: key, eventType: event.eventType,
            schemaVersion: 1, eventId: id, value: try EventCodec.encode(event), timestampMilliseconds: kafkaTime,
            headers: headers(type: event.eventType, id: id))
    }

    static func agency(
        _ id: String, _ kind: AgencyKind, name: String? = nil, integrator: DutyContact? = DutyContact(email: "it@example.org"),
        cadences: [FeedCadence]? = nil
    ) -> AgencyDescribed {
        AgencyDescribed(
            agencyId: id, kind: kind, name: name ?? "Agency \(id)", jurisdiction: AgencyJurisdiction(state: "MO", counties: ["Jackson"]),
            dutyContact: DutyContact(phone: "+1 816 555 0100"), integratorContact: integrator, feedCadences: cadences)
    }

    static func described(_ entry: AgencyDescribed, at time: Int64, id: String = UUID().uuidString) throws -> AdmittedEvent {
        let event = EventEnvelope(
            eventId: UUID(uuidString: id) ?? UUID(), occurredAt: instant(time), recordedAt: instant(time),
            source: SourceAgency(agencyId: entry.agencyId, agencyKind: entry.kind), subject: nil, payload: entry)
        return try admitted(event, topic: "reference.agencies", key: entry.agencyId, at: time)
    }

    static func retired(_ agencyId: String, at time: Int64) throws -> AdmittedEvent {
        let event = EventEnvelope(
            eventId: UUID(), occurredAt: instant(time), recordedAt: instant(time), source: SourceAgency(agencyId: agencyId, agencyKind: .police),
            subject: nil, payload: AgencyRetired(agencyId: agencyId, retiredOn: CalendarDate("2026-03-03")!))
        return try admitted(event, topic: "reference.agencies", key: agencyId, at: time)
    }

    /// An arrest by `agencyId` (any valid event serves: the feeds service reads the envelope).
    static func arrest(by agencyId: String, kind: AgencyKind = .police, at time: Int64) throws -> AdmittedEvent {
        let subject = SubjectIdentifiers(stateId: "MO1234567", name: PersonName(given: "Darnell", family: "Reyes"))
        let event = EventEnvelope(
            eventId: UUID(), occurredAt: instant(time), recordedAt: instant(time), source: SourceAgency(agencyId: agencyId, agencyKind: kind),
            subject: subject,
            payload: ArrestMade(
                arrestId: "A-\(time)", arrestedAt: instant(time), arrestingAgencyId: agencyId,
                location: Location(address: Address(line1: "3100 Prospect Ave", city: "Kansas City", state: "MO", postalCode: "64128")),
                charges: [Charge(code: "571.030", description: "Unlawful use of a weapon", level: .felony)]))
        return try admitted(event, topic: "police.arrests", key: "MO1234567", at: time)
    }

    /// A release completed by `agencyId` (a jail).
    static func release(by agencyId: String, at time: Int64) throws -> AdmittedEvent {
        let subject = SubjectIdentifiers(stateId: "MO5550123", name: PersonName(given: "Alicia", family: "Grant"))
        let event = EventEnvelope(
            eventId: UUID(), occurredAt: instant(time), recordedAt: instant(time), source: SourceAgency(agencyId: agencyId, agencyKind: .jail),
            subject: subject,
            payload: ReleaseCompleted(
                releaseId: "R-\(time)", facility: Facility(facilityId: agencyId, name: "Jail", kind: .jail), releasedAt: instant(time),
                releaseType: .bailBond, destination: Address(line1: "215 N Liberty St", city: "Independence", state: "MO", postalCode: "64050")))
        return try admitted(event, topic: "custody.releases", key: "MO5550123", at: time)
    }

    static func tick(_ time: Int64) -> AdmittedEvent {
        let tick = TimerTick(minuteOf: instant(time))
        return AdmittedEvent(
            topicPartition: TopicPartition(topic: TimerTick.topic, partition: 0), offset: KafkaOffset(0), key: TimerTick.minuteClock,
            eventType: TimerTick.eventType, schemaVersion: 1, eventId: tick.id, value: tick.encoded(), timestampMilliseconds: time,
            headers: headers(type: TimerTick.eventType, id: tick.id))
    }
}
