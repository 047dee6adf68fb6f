import Contracts
import Foundation
import Kafka
import Routing
import ServiceKit
import TestSupport

/// Events for the router's tests, with fixed ids and times.
enum Events {
    /// 2025-06-15T15:06:40Z.
    static let now = Date(timeIntervalSince1970: 1_750_000_000)
    static let nowMilliseconds: Int64 = 1_750_000_000_000

    static let reyes = SubjectIdentifiers(
        stateId: "MO1234567", fbiNumber: "734591KA2", name: PersonName(given: "Darnell", family: "Reyes"), dateOfBirth: CalendarDate("1990-07-14"))
    /// Another supervisee, whose rows a sealing order about Reyes leaves alone.
    static let hill = SubjectIdentifiers(
        stateId: "MO7654321", fbiNumber: "112233KB4", name: PersonName(given: "Marcus", family: "Hill"), dateOfBirth: CalendarDate("1985-02-03"))
    static let brooks = Officer(officerId: "PP-KC-118", name: "P.O. Tanya Brooks")
    static let lee = Officer(officerId: "PP-KC-200", name: "P.O. Lee")

    static func id(_ name: String) -> UUID {
        var hash = SHA256()
        hash.update("routing-tests\u{0}\(name)")
        let b = hash.finalize()
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], 0x80 | (b[6] & 0x0f), b[7], 0x80 | (b[8] & 0x3f), b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }

    static func day(_ offsetDays: Int) -> CalendarDate { CalendarDate(utcDayOf: now.addingTimeInterval(Double(offsetDays) * 86_400)) }

    static func caseStarted(_ subject: SubjectIdentifiers = reyes, caseId: String = "CASE-1", officer: Officer? = brooks, start: CalendarDate = day(-30), id name: String = "case") -> EventEnvelope<CaseStarted> {
        EventEnvelope(
            eventId: id(name), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-DOC-PP", agencyKind: .communitySupervision),
            subject: subject,
            payload: CaseStarted(caseId: caseId, supervisionType: .parole, startDate: start, supervisingAgencyId: "MO-DOC-PP", officer: officer))
    }

    static func caseEnded(caseId: String = "CASE-1", on day: CalendarDate, id name: String = "ended") -> EventEnvelope<CaseEnded> {
        EventEnvelope(
            eventId: id(name), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-DOC-PP", agencyKind: .communitySupervision),
            subject: reyes, payload: CaseEnded(caseId: caseId, endDate: day, endReason: .completed))
    }

    static func officerAssigned(
        _ officer: Officer, caseId: String = "CASE-1", subject: SubjectIdentifiers = reyes, id name: String = "assigned"
    ) -> EventEnvelope<OfficerAssigned> {
        EventEnvelope(
            eventId: id(name), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-DOC-PP", agencyKind: .communitySupervision),
            subject: subject, payload: OfficerAssigned(caseId: caseId, officer: officer))
    }

    static func arrest(_ subject: SubjectIdentifiers = reyes, at: Date = now.addingTimeInterval(-3_600), id name: String = "arrest") -> EventEnvelope<ArrestMade> {
        EventEnvelope(
            eventId: id(name), occurredAt: at, recordedAt: now, source: SourceAgency(agencyId: "MO-KCPD", agencyKind: .police), subject: subject,
            payload: ArrestMade(
                arrestId: "A-\(name)", arrestedAt: at, arrestingAgencyId: "MO-KCPD",
                location: Location(address: Address(line1: "3100 Prospect Ave", city: "Kansas City", state: "MO", postalCode: "64128")),
                charges: [Charge(code: "571.030", description: "Unlawful use of a weapon", level: .felony)]))
    }

    /// A court's order sealing (or expunging) `subject`'s records, recorded at `at`: all of
    /// them, or those of `cases`.
    static func sealingOrder(
        _ subject: SubjectIdentifiers = reyes, cases: [String]? = nil, expunged: Bool = false, at: Date = now, id name: String = "order"
    ) throws -> SealingOrder {
        let source = SourceAgency(agencyId: "MO-CIRCUIT16", agencyKind: .court)
        let scope: RecordOrderScope = cases == nil ? .allRecords : .listedCases
        let event: AdmittedEvent
        if expunged {
            event = try admitted(EventEnvelope(
                eventId: id(name), occurredAt: at, recordedAt: at, source: source, subject: subject,
                payload: RecordExpunged(orderId: "ORDER-\(name)", orderedOn: CalendarDate(utcDayOf: at), issuingCourtId: "MO-CIRCUIT16", scope: scope, caseNumbers: cases)),
                topic: RouterProjection.sealingTopic)
        } else {
            event = try admitted(EventEnvelope(
                eventId: id(name), occurredAt: at, recordedAt: at, source: source, subject: subject,
                payload: RecordSealed(orderId: "ORDER-\(name)", orderedOn: CalendarDate(utcDayOf: at), issuingCourtId: "MO-CIRCUIT16", scope: scope, caseNumbers: cases)),
                topic: RouterProjection.sealingTopic)
        }
        guard let order = try SealingOrder(event) else { throw OrderNotDecoded() }
        return order
    }

    struct OrderNotDecoded: Error {}

    /// `event` as the runtime hands it to a projection, with Kafka timestamp `kafkaTime`.
    /// A `bus.identity` message as the person index writes it.
    static func identity(_ type: String, id: String, at: String = "2025-06-15T15:06:40Z", _ members: [String: Any]) throws -> AdmittedEvent {
        try IdentityMessages.admitted(type, id: id, at: at, timestampMilliseconds: nowMilliseconds, members)
    }

    static func admitted<Payload>(_ event: EventEnvelope<Payload>, topic: String, kafkaTime: Int64? = nowMilliseconds) throws -> AdmittedEvent {
        AdmittedEvent(
            topicPartition: TopicPartition(topic: topic, partition: 0), offset: KafkaOffset(0), key: SubjectKey.key(event.subject, source: event.source) ?? "",
            eventType: event.eventType, schemaVersion: event.schemaVersion, eventId: event.eventId.uuidString.lowercased(), value: try EventCodec.encode(event),
            timestampMilliseconds: kafkaTime)
    }
}
