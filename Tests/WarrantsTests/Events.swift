import Contracts
import Foundation
import Kafka
import Testing
import TestSupport
import Timers

@testable import ServiceKit

/// Events for the warrant resolver's tests, with fixed ids and times.
enum Events {
    /// 2025-06-15T15:06:40Z.
    static let now = Date(timeIntervalSince1970: 1_750_000_000)
    static let nowMilliseconds: Int64 = 1_750_000_000_000

    static let hill = SubjectIdentifiers(
        stateId: "MO7654321", name: PersonName(given: "Marcus", family: "Hill"), dateOfBirth: CalendarDate("1985-02-03"))
    static let werdcc = Facility(facilityId: "MO-DOC-WERDCC", name: "Western Reception, Diagnostic and Correctional Center", kind: .prison)
    static let jail = Facility(facilityId: "MO-JCDC", name: "Jackson County Detention Center", kind: .jail)
    static let kansasCity = Address(line1: "4410 Troost Ave", city: "Kansas City", state: "MO", postalCode: "64110")
    static let independence = Address(line1: "215 N Liberty St", city: "Independence", state: "MO", postalCode: "64050")

    static func id(_ name: String) -> UUID {
        var hash = SHA256()
        hash.update("warrants-tests\u{0}\(name)")
        let b = hash.finalize()
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], 0x80 | (b[6] & 0x0f), b[7], 0x80 | (b[8] & 0x3f), b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }

    /// Another person, whose rows a sealing order about Hill leaves alone.
    static let reyes = SubjectIdentifiers(
        stateId: "MO1234567", fbiNumber: "734591KA2", name: PersonName(given: "Darnell", family: "Reyes"), dateOfBirth: CalendarDate("1990-07-14"))

    static func issued(
        _ warrantId: String = "W-1", agency: String = "MO-CIRCUIT16", subject: SubjectIdentifiers = hill, caseNumber: String? = nil, id name: String? = nil,
        occurredAt: Date = now
    ) -> EventEnvelope<WarrantIssued> {
        EventEnvelope(
            eventId: id(name ?? "issued-\(warrantId)"), occurredAt: occurredAt, recordedAt: occurredAt, source: SourceAgency(agencyId: agency, agencyKind: .court),
            subject: subject,
            payload: WarrantIssued(warrantId: warrantId, warrantKind: .bench, issuedOn: CalendarDate("2025-06-01")!, issuingAgencyId: agency,
                                   caseNumber: caseNumber))
    }

    /// Recalled by `agency`: the issuing court, which alone may recall it (`RecordAuthority`).
    static func recalled(_ warrantId: String = "W-1", at: Date = now, id name: String? = nil, by agency: String = "MO-CIRCUIT16") -> EventEnvelope<WarrantRecalled> {
        EventEnvelope(
            eventId: id(name ?? "recalled-\(warrantId)"), occurredAt: at, recordedAt: at,
            source: SourceAgency(agencyId: agency, agencyKind: .court), subject: hill,
            payload: WarrantRecalled(warrantId: warrantId, recalledOn: CalendarDate("2025-06-15")!, reason: "Defendant appeared"))
    }

    /// Quashed by an appellate court (MO-COA-WD): any court may set a warrant aside.
    static func quashedByAppeal(_ warrantId: String = "W-1") -> EventEnvelope<WarrantQuashed> {
        EventEnvelope(
            eventId: id("quashed-\(warrantId)"), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-COA-WD", agencyKind: .court),
            subject: hill, payload: WarrantQuashed(warrantId: warrantId, quashedOn: CalendarDate("2025-06-15")!, reason: "Set aside on appeal"))
    }

    static func served(_ warrantId: String = "W-1") -> EventEnvelope<WarrantServed> {
        EventEnvelope(
            eventId: id("served-\(warrantId)"), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-KCPD", agencyKind: .police),
            subject: hill, payload: WarrantServed(warrantId: warrantId, servedAt: now, servingAgencyId: "MO-KCPD"))
    }

    static func scheduled(
        _ releaseId: String = "R-1", to destination: Address? = kansasCity, subject: SubjectIdentifiers = hill, id name: String? = nil,
        expectedAt: Date = releaseAt, occurredAt: Date = now
    ) -> EventEnvelope<ReleaseScheduled> {
        EventEnvelope(
            eventId: id(name ?? "scheduled-\(releaseId)"), occurredAt: occurredAt, recordedAt: occurredAt, source: SourceAgency(agencyId: "MO-DOC", agencyKind: .prison),
            subject: subject,
            payload: ReleaseScheduled(releaseId: releaseId, facility: werdcc, expectedAt: expectedAt, releaseType: .parole,
                                      destination: destination, supervisingAgencyId: "MO-DOC-PP"))
    }

    /// A jail's release (MO-JCSO) without a schedule of its own: for a release another agency
    /// scheduled, `completed(_:at:to:subject:)` (by MO-DOC).
    static func completed(_ releaseId: String = "R-1", to destination: Address? = independence) -> EventEnvelope<ReleaseCompleted> {
        EventEnvelope(
            eventId: id("completed-\(releaseId)"), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-JCSO", agencyKind: .jail),
            subject: hill,
            payload: ReleaseCompleted(releaseId: releaseId, facility: jail, releasedAt: now, releaseType: .bailBond, destination: destination))
    }

    static func cancelled(_ releaseId: String = "R-1", occurredAt: Date = now) -> EventEnvelope<ReleaseCancelled> {
        EventEnvelope(
            eventId: id("cancelled-\(releaseId)"), occurredAt: occurredAt, recordedAt: occurredAt, source: SourceAgency(agencyId: "MO-DOC", agencyKind: .prison),
            subject: hill, payload: ReleaseCancelled(releaseId: releaseId, reason: "Parole rescinded"))
    }

    // MARK: The agency directory

    static func police(_ id: String, places: [String], state: String = "MO", kind: AgencyKind = .police) -> AgencyDescribed {
        AgencyDescribed(agencyId: id, kind: kind, name: "\(id) Police", jurisdiction: AgencyJurisdiction(state: state, places: places),
                        dutyContact: DutyContact(phone: "+1 816 555 0100"))
    }

    static func agency(_ id: String, _ kind: AgencyKind, courts: [String]? = nil) -> AgencyDescribed {
        AgencyDescribed(agencyId: id, kind: kind, name: "\(id) \(kind.rawValue)", jurisdiction: AgencyJurisdiction(state: "MO", counties: ["Jackson"]),
                        dutyContact: DutyContact(phone: "+1 816 555 0100"), courts: courts)
    }

    /// The directory the tests publish: the police of the two destinations, and of St. Louis,
    /// the two courts the warrants name, and the sheriff that lodges detainers.
    static let directory = [
        police("MO-KCPD", places: ["Kansas City"]), police("MO-IPD", places: ["Independence"]), police("MO-SLMPD", places: ["St. Louis"]),
        agency("MO-CIRCUIT16", .court), agency("MO-CIRCUIT7", .court), agency("KS-JOCO-SO", .sheriff),
    ]

    /// The prosecutors serving the two courts.
    static let prosecutors = [agency("MO-JCPO", .prosecutor, courts: ["MO-CIRCUIT16"]), agency("MO-CCPO", .prosecutor, courts: ["MO-CIRCUIT7"])]

    // MARK: Detainers, release changes, ticks

    static func lodged(
        _ detainerId: String = "D-1", holder: String = "KS-JOCO-SO", subject: SubjectIdentifiers = hill, id name: String? = nil,
        warrantId: String? = nil, occurredAt: Date = now
    ) -> EventEnvelope<DetainerLodged> {
        EventEnvelope(
            eventId: id(name ?? "lodged-\(detainerId)"), occurredAt: occurredAt, recordedAt: occurredAt, source: SourceAgency(agencyId: holder, agencyKind: .sheriff),
            subject: subject,
            payload: DetainerLodged(detainerId: detainerId, detainerKind: .otherJurisdiction, requestingAgencyId: holder, lodgedOn: CalendarDate("2025-06-10")!,
                                    warrantId: warrantId))
    }

    /// Lifted by `holder`: the agency that asked for the hold, which alone may lift it.
    static func lifted(_ detainerId: String = "D-1", subject: SubjectIdentifiers = hill, holder: String = "KS-JOCO-SO") -> EventEnvelope<DetainerLifted> {
        EventEnvelope(
            eventId: id("lifted-\(detainerId)"), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: holder, agencyKind: .sheriff),
            subject: subject, payload: DetainerLifted(detainerId: detainerId, liftedOn: CalendarDate("2025-06-20")!, reason: "Charges dismissed"))
    }

    /// The expected release of `scheduled`: 60 days after `now`.
    static let releaseAt = now.addingTimeInterval(60 * 86_400)

    static func changed(
        _ releaseId: String = "R-1", expectedAt: Date? = nil, to destination: Address? = nil, id name: String? = nil
    ) -> EventEnvelope<ReleaseChanged> {
        EventEnvelope(
            eventId: id(name ?? "changed-\(releaseId)"), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-DOC", agencyKind: .prison),
            subject: hill,
            payload: ReleaseChanged(releaseId: releaseId, reason: "Parole board decision", expectedAt: expectedAt, destination: destination))
    }

    static func completed(_ releaseId: String, at: Date, to destination: Address? = kansasCity, subject: SubjectIdentifiers = hill) -> EventEnvelope<ReleaseCompleted> {
        EventEnvelope(
            eventId: id("completed-\(releaseId)"), occurredAt: at, recordedAt: at, source: SourceAgency(agencyId: "MO-DOC", agencyKind: .prison),
            subject: subject,
            payload: ReleaseCompleted(releaseId: releaseId, facility: werdcc, releasedAt: at, releaseType: .parole, destination: destination,
                                      supervisingAgencyId: "MO-DOC-PP"))
    }

    /// The tick of the minute that contains `daysBeforeRelease` days before `releaseAt`.
    static func tick(daysBeforeRelease days: Double) -> TimerTick {
        TimerTick(minuteOf: releaseAt.addingTimeInterval(-days * 86_400))
    }

    /// `tick` as the runtime hands it to a projection.
    static func admitted(_ tick: TimerTick) -> AdmittedEvent {
        AdmittedEvent(
            topicPartition: TopicPartition(topic: TimerTick.topic, partition: 0), offset: KafkaOffset(0), key: TimerTick.minuteClock,
            eventType: TimerTick.eventType, schemaVersion: 1, eventId: tick.id, value: tick.encoded(), timestampMilliseconds: tick.atMilliseconds)
    }

    static func described(_ entry: AgencyDescribed, id name: String? = nil) -> EventEnvelope<AgencyDescribed> {
        EventEnvelope(
            eventId: id(name ?? "described-\(entry.agencyId)"), occurredAt: now, recordedAt: now,
            source: SourceAgency(agencyId: entry.agencyId, agencyKind: entry.kind), subject: nil, payload: entry)
    }

    static func retired(_ agencyId: String) -> EventEnvelope<AgencyRetired> {
        EventEnvelope(
            eventId: id("retired-\(agencyId)"), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: agencyId, agencyKind: .police),
            subject: nil, payload: AgencyRetired(agencyId: agencyId, retiredOn: CalendarDate("2025-06-15")!))
    }

    // MARK: Sealing orders

    /// A court's order sealing (or expunging) `subject`'s records, recorded at `at`: all of
    /// them, or those of `cases`.
    static func sealingOrder(
        _ subject: SubjectIdentifiers = hill, cases: [String]? = nil, expunged: Bool = false, at: Date = now, id name: String = "order"
    ) throws -> SealingOrder {
        let source = SourceAgency(agencyId: "MO-CIRCUIT16", agencyKind: .court)
        let scope: RecordOrderScope = cases == nil ? .allRecords : .listedCases
        let orderId = "ORDER-\(name)"
        let event = expunged
            ? try admitted(EventEnvelope(
                eventId: id(name), occurredAt: at, recordedAt: at, source: source, subject: subject,
                payload: RecordExpunged(orderId: orderId, orderedOn: CalendarDate(utcDayOf: at), issuingCourtId: "MO-CIRCUIT16", scope: scope, caseNumbers: cases)))
            : try admitted(EventEnvelope(
                eventId: id(name), occurredAt: at, recordedAt: at, source: source, subject: subject,
                payload: RecordSealed(orderId: orderId, orderedOn: CalendarDate(utcDayOf: at), issuingCourtId: "MO-CIRCUIT16", scope: scope, caseNumbers: cases)))
        guard let order = try SealingOrder(event) else { throw OrderNotDecoded() }
        return order
    }

    struct OrderNotDecoded: Error {}

    /// `event` as the runtime hands it to a projection, with Kafka timestamp `kafkaTime`.
    static func admitted<Payload>(_ event: EventEnvelope<Payload>, kafkaTime: Int64? = nowMilliseconds) throws -> AdmittedEvent {
        let topic: String
        let key: String
        if let described = event.payload as? AgencyDescribed {
            (topic, key) = ("reference.agencies", described.agencyId)
        } else if let retired = event.payload as? AgencyRetired {
            (topic, key) = ("reference.agencies", retired.agencyId)
        } else if Payload.self == RecordSealed.self || Payload.self == RecordExpunged.self {
            (topic, key) = ("records.sealing", event.subject?.stateId ?? "")
        } else {
            topic = Payload.self == ReleaseScheduled.self || Payload.self == ReleaseCompleted.self || Payload.self == ReleaseCancelled.self
                || Payload.self == ReleaseChanged.self
                ? "custody.releases" : "courts.warrants"
            key = event.subject?.stateId ?? ""
        }
        return AdmittedEvent(
            topicPartition: TopicPartition(topic: topic, partition: 0), offset: KafkaOffset(0), key: key,
            eventType: event.eventType, schemaVersion: event.schemaVersion, eventId: event.eventId.uuidString.lowercased(), value: try EventCodec.encode(event),
            timestampMilliseconds: kafkaTime)
    }
}

extension ProjectionHarness {
    /// Applies `event`; the notifications it queued, not the `bus.warrant-checks` events.
    @discardableResult
    func notifications(_ event: AdmittedEvent) async throws -> [OutgoingMessage] {
        try await apply(event).filter { $0.topic == BusTopic.notifications }
    }
}

extension ProjectionHarness {
    /// Applies `event` as ``notifications(_:)`` does; returns also the events refused as a sealed
    /// record's that it counted (`SealedRecordRefusal.metric`), each as `<record_kind> <reason>`.
    func refusals(_ event: AdmittedEvent) async throws -> (notifications: [OutgoingMessage], refused: [String]) {
        let projection = self.projection
        return try await write { storage, transaction in
            let before = try ServiceDatabase.outbox(storage).last?.seq ?? 0
            try projection.apply(event, in: transaction)
            try transaction.flushOutbox()
            let refused = transaction.counts.filter { $0.label == SealedRecordRefusal.metric }.map {
                $0.dimensions.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
            }
            return (try ServiceDatabase.outbox(after: before, storage).map(\.message).filter { $0.topic == BusTopic.notifications }, refused)
        }
    }

    /// The refusals ``refusals(_:)`` counts for `event`, expecting it to send no notification.
    func refused(_ event: AdmittedEvent, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String] {
        let (notifications, refused) = try await refusals(event)
        #expect(notifications.isEmpty, sourceLocation: sourceLocation)
        return refused
    }
}
