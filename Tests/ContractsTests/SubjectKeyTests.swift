import Contracts
import Foundation
import Testing

/// Issue 19, item 4: version 2 of `police.arrests` (and of the other person-keyed topics that have
/// one) takes an event whose subject lacks the state ID
/// when another identifier is present, keyed by `SubjectKey`.
@Suite("Person-keyed events without a state ID")
struct SubjectKeyTests {
    static let catalog: TopicCatalog = try! TopicCatalog.load(from: repositoryTopics)
    let validator = EventValidator(catalog: Self.catalog)

    static func arrest(_ subject: SubjectIdentifiers?, agency: String = "MO-KCPD") -> EventEnvelope<ArrestMade> {
        EventEnvelope(
            eventId: UUID(uuidString: "6f1c2a7e-3b1d-4c55-9a0e-2d9b8f4e1a01")!, occurredAt: Date(timeIntervalSince1970: 1_750_000_000),
            recordedAt: Date(timeIntervalSince1970: 1_750_000_005), source: SourceAgency(agencyId: agency, agencyKind: .police), subject: subject,
            payload: ArrestMade(arrestId: "KCPD-A-1", arrestedAt: Date(timeIntervalSince1970: 1_750_000_000), arrestingAgencyId: agency,
                                location: Location(description: "Near the bus station"),
                                charges: [Charge(code: "571.030", description: "Unlawful use of a weapon", level: .felony)]))
    }

    func send<Payload>(_ event: EventEnvelope<Payload>, key: String, topic: String = "police.arrests") throws(EventValidationError) -> ValidatedEvent {
        let headers = [EventHeaders.eventType: event.eventType, EventHeaders.schemaVersion: String(event.schemaVersion),
                       EventHeaders.eventId: event.eventId.uuidString.lowercased()]
        return try validator.validateMessage(topic: topic, key: Array(key.utf8), value: try! EventCodec.encode(event), headers: headers)
    }

    /// A jail's release on bail under its booking number and a court's warrant under the FBI
    /// number are admitted as version 2 (the version the Swift types write for them), keyed by
    /// the subject key; version 1 refuses both.
    @Test("releases and warrants under another number are admitted as version 2")
    func releasesAndWarrants() throws {
        let at = Date(timeIntervalSince1970: 1_750_000_000)
        let jail = SourceAgency(agencyId: "MO-JACKSON-SO", agencyKind: .sheriff)
        var release = EventEnvelope(
            occurredAt: at, recordedAt: at, source: jail, subject: SubjectIdentifiers(bookingNumber: "2025-004412"),
            payload: ReleaseCompleted(
                releaseId: "JCDC-2025-004412", facility: Facility(facilityId: "MO-JCDC", name: "Jackson County Detention Center", kind: .jail),
                releasedAt: at, releaseType: .bailBond))
        var warrant = EventEnvelope(
            occurredAt: at, recordedAt: at, source: SourceAgency(agencyId: "MO-CIRCUIT16", agencyKind: .court),
            subject: SubjectIdentifiers(fbiNumber: "123456AB9"),
            payload: WarrantIssued(warrantId: "W-1", warrantKind: .bench, issuedOn: CalendarDate("2025-06-01")!, issuingAgencyId: "MO-CIRCUIT16"))
        #expect(release.schemaVersion == 2 && warrant.schemaVersion == 2)
        #expect(try send(release, key: "booking:MO-JACKSON-SO:2025-004412", topic: "custody.releases").schemaVersion == 2)
        #expect(try send(warrant, key: "fbi:123456AB9", topic: "courts.warrants").schemaVersion == 2)
        release.schemaVersion = 1
        warrant.schemaVersion = 1
        #expect(throws: EventValidationError.self) { try send(release, key: "booking:MO-JACKSON-SO:2025-004412", topic: "custody.releases") }
        #expect(throws: EventValidationError.self) { try send(warrant, key: "fbi:123456AB9", topic: "courts.warrants") }
    }

    @Test("version 2 validates with each identifier alone, keyed by it with its scope", arguments: [
        (SubjectIdentifiers(stateId: "MO1234567"), "MO1234567"),
        (SubjectIdentifiers(fbiNumber: "123456AB9"), "fbi:123456AB9"),
        (SubjectIdentifiers(docNumber: "1198734"), "doc:MO:1198734"),
        (SubjectIdentifiers(bookingNumber: "2025-005120"), "booking:MO-KCPD:2025-005120"),
        (SubjectIdentifiers(rmsNumber: "KC-25-1"), "rms:MO-KCPD:KC-25-1"),
        // The widest scope wins when several are present; the state ID always.
        (SubjectIdentifiers(stateId: "MO1234567", bookingNumber: "2025-005120"), "MO1234567"),
        (SubjectIdentifiers(docNumber: "1198734", bookingNumber: "2025-005120"), "doc:MO:1198734"),
    ])
    func eachIdentifier(subject: SubjectIdentifiers, key: String) throws {
        var event = Self.arrest(subject)
        event.schemaVersion = 2
        let validated = try send(event, key: key)
        #expect(validated.key == key)
        #expect(validated.schemaVersion == 2)
    }

    @Test("an event with no identifier at all is refused, naming the subject")
    func noIdentifier() throws {
        var event = Self.arrest(SubjectIdentifiers(name: PersonName(given: "Darnell", family: "Reyes")))
        event.schemaVersion = 2
        let error = #expect(throws: EventValidationError.self) { try send(event, key: "") }
        guard case .schemaViolations(let violations)? = error?.reason else { Issue.record("not a schema violation: \(String(describing: error))"); return }
        #expect(violations.contains { $0.instancePath.description == "$.subject" && $0.keyword == "anyOf" })
    }

    @Test("version 1 still requires the state ID")
    func versionOneUnchanged() throws {
        var event = Self.arrest(SubjectIdentifiers(bookingNumber: "2025-005120"))
        event.schemaVersion = 1
        let error = #expect(throws: EventValidationError.self) { try send(event, key: "booking:MO-KCPD:2025-005120") }
        guard case .schemaViolations(let violations)? = error?.reason else { Issue.record("not a schema violation"); return }
        #expect(violations.contains { $0.instancePath.description == "$.subject" })
    }

    @Test("the key rule is enforced: an unscoped number, another agency's scope, or a number when the state ID is known")
    func keyRule() throws {
        var booking = Self.arrest(SubjectIdentifiers(bookingNumber: "2025-005120"))
        booking.schemaVersion = 2
        for wrong in ["2025-005120", "booking:MO-JACKSON-SO:2025-005120", "rms:MO-KCPD:2025-005120"] {
            let error = #expect(throws: EventValidationError.self) { try send(booking, key: wrong) }
            guard case .keyMismatch(let field)? = error?.reason else { Issue.record("not a key mismatch: \(wrong)"); continue }
            #expect(field.hasPrefix("subject key"))
        }
        var known = Self.arrest(SubjectIdentifiers(stateId: "MO1234567", bookingNumber: "2025-005120"))
        known.schemaVersion = 2
        #expect(throws: EventValidationError.self) { try send(known, key: "booking:MO-KCPD:2025-005120") }
    }

    @Test("Swift events are written in version 1 with a state ID, in version 2 without, and both decode")
    func swiftVersions() throws {
        let known = Self.arrest(SubjectIdentifiers(stateId: "MO1234567"))
        #expect(known.schemaVersion == 1)
        let unknown = Self.arrest(SubjectIdentifiers(bookingNumber: "2025-005120"))
        #expect(unknown.schemaVersion == 2)
        #expect(SubjectKey.key(unknown.subject, source: unknown.source) == "booking:MO-KCPD:2025-005120")
        _ = try send(unknown, key: "booking:MO-KCPD:2025-005120")
        let decoded = try EventCodec.decode(ArrestMade.self, from: try EventCodec.encode(unknown))
        #expect(decoded.schemaVersion == 2 && decoded.subject?.stateId == nil)
        #expect(EventTypes.payloadType(eventType: "police.booking.recorded", version: 2).map(ObjectIdentifier.init) == ObjectIdentifier(BookingRecorded.self))
        #expect(EventTypes.payloadType(eventType: "police.contact.recorded", version: 2).map(ObjectIdentifier.init) == ObjectIdentifier(ContactRecorded.self))
        // Releases have a version 2 (their warrant check says `unconfirmed`, not `clear`), and so
        // do warrants and detainers; a topic without one has no second version.
        for type in ["custody.release.scheduled", "custody.release.changed", "custody.release.cancelled", "custody.release.completed",
                     "courts.warrant.issued", "courts.warrant.served", "courts.warrant.recalled", "courts.warrant.quashed",
                     "courts.detainer.lodged", "courts.detainer.lifted"] {
            #expect(EventTypes.payloadType(eventType: type, version: 2) != nil, "\(type)")
        }
        #expect(EventTypes.payloadType(eventType: "police.investigation.closed", version: 2) == nil)
    }

    /// `records.sealing` version 2 (`stateIdOptional: fbiNumber`): an order naming the FBI number
    /// alone is admitted under its subject key; one naming only an agency's own number is not
    /// (no read model files people under it), whatever other identifier it carries.
    @Test("a sealing order may name the FBI number instead of the state ID, and no other number")
    func sealingOrdersNameTheFBINumber() throws {
        func order(_ subject: SubjectIdentifiers) -> EventEnvelope<RecordExpunged> {
            EventEnvelope(
                eventId: UUID(), occurredAt: Date(timeIntervalSince1970: 1_750_000_000), recordedAt: Date(timeIntervalSince1970: 1_750_000_000),
                source: SourceAgency(agencyId: "MO-CIRCUIT16", agencyKind: .court), subject: subject,
                payload: RecordExpunged(orderId: "1616-CV-812-EXP", orderedOn: CalendarDate("2025-10-15")!, issuingCourtId: "MO-CIRCUIT16", scope: .allRecords))
        }
        let byFBI = order(SubjectIdentifiers(fbiNumber: "734591KA2"))
        #expect(byFBI.schemaVersion == 2)
        _ = try send(byFBI, key: "fbi:734591KA2", topic: "records.sealing")
        #expect(order(SubjectIdentifiers(stateId: "MO1234567")).schemaVersion == 1)
        let byBooking = order(SubjectIdentifiers(bookingNumber: "2025-005120"))
        do {
            _ = try send(byBooking, key: "booking:MO-CIRCUIT16:2025-005120", topic: "records.sealing")
            Issue.record("an order naming a booking number alone was admitted")
        } catch {
            #expect("\(error)".contains("$.subject"), "\(error)")
        }
        #expect(Self.catalog.event(type: "records.record.sealed", version: 2)?.fbiNumberStandsIn == true)
        #expect(Self.catalog.event(type: "police.arrest.made", version: 2)?.fbiNumberStandsIn == false)
    }

    /// `supervision.cases` and `supervision.mental-health-bulletins` version 2 (`stateIdOptional:
    /// fbiNumber`): a case or a bulletin of a supervisee known by the FBI number alone is
    /// admitted under its subject key, every case event alike; one naming only the DOC number is
    /// not (no caseload could list the person).
    @Test("a case and a bulletin may name the FBI number instead of the state ID, and no other number")
    func casesAndBulletinsNameTheFBINumber() throws {
        let at = Date(timeIntervalSince1970: 1_750_000_000)
        let parole = SourceAgency(agencyId: "MO-DOC-PP", agencyKind: .communitySupervision)
        func started(_ subject: SubjectIdentifiers) -> EventEnvelope<CaseStarted> {
            EventEnvelope(
                occurredAt: at, recordedAt: at, source: parole, subject: subject,
                payload: CaseStarted(caseId: "PP-KC-2025-3391", supervisionType: .parole, startDate: CalendarDate("2025-04-28")!, supervisingAgencyId: "MO-DOC-PP"))
        }
        let transferee = SubjectIdentifiers(fbiNumber: "734591KA2")
        let byFBI = started(transferee)
        #expect(byFBI.schemaVersion == 2)
        _ = try send(byFBI, key: "fbi:734591KA2", topic: "supervision.cases")
        let assigned = EventEnvelope(
            occurredAt: at, recordedAt: at, source: parole, subject: transferee,
            payload: OfficerAssigned(caseId: "PP-KC-2025-3391", officer: Officer(officerId: "PP-KC-118", name: "P.O. Tanya Brooks")))
        _ = try send(assigned, key: "fbi:734591KA2", topic: "supervision.cases")
        let bulletin = EventEnvelope(
            occurredAt: at, recordedAt: at, source: parole, subject: transferee,
            payload: MentalHealthBulletinWithdrawn(bulletinId: "MHB-KC-0193", reason: .consentRevoked))
        #expect(bulletin.schemaVersion == 2)
        _ = try send(bulletin, key: "fbi:734591KA2", topic: "supervision.mental-health-bulletins")
        #expect(started(SubjectIdentifiers(stateId: "MO1234567", fbiNumber: "734591KA2")).schemaVersion == 1)
        do {
            _ = try send(started(SubjectIdentifiers(docNumber: "1198734")), key: "doc:MO:1198734", topic: "supervision.cases")
            Issue.record("a case naming a DOC number alone was admitted")
        } catch {
            #expect("\(error)".contains("$.subject"), "\(error)")
        }
        for type in ["supervision.case.started", "supervision.case.ended", "supervision.officer.assigned", "supervision.conditions.set",
                     "supervision.address.changed", "supervision.mental-health-bulletin.published", "supervision.mental-health-bulletin.withdrawn"] {
            #expect(Self.catalog.event(type: type, version: 2)?.fbiNumberStandsIn == true, "\(type)")
            #expect(EventTypes.payloadType(eventType: type, version: 2) != nil, "\(type)")
        }
    }

    @Test("a stateIdOptional that is neither a boolean nor fbiNumber is reported")
    func stateIdOptionalValues() throws {
        let copy = try copyOfTopics()
        defer { try? FileManager.default.removeItem(at: copy) }
        try edit("records.sealing.yaml", in: copy, replacing: "    stateIdOptional: fbiNumber\n    description: Records are sealed", with: "    stateIdOptional: docNumber\n    description: Records are sealed")
        let problems = TopicCatalog.check(directory: copy).problems.filter { $0.file.hasSuffix(".yaml") }.map(\.description)
        #expect(problems.contains { $0.hasPrefix("records.sealing.yaml: $.events[2].stateIdOptional: must be true, false or fbiNumber") }, "\(problems)")
    }

    @Test("stateIdOptional on a topic not keyed by the state ID is reported")
    func onlyOnPersonKeyedTopics() throws {
        let copy = try copyOfTopics()
        defer { try? FileManager.default.removeItem(at: copy) }
        try edit("police.incidents.yaml", in: copy, replacing: "    version: 1\n", with: "    version: 1\n    stateIdOptional: true\n")
        let problems = TopicCatalog.check(directory: copy).problems.filter { $0.file.hasSuffix(".yaml") }.map(\.description)
        #expect(problems.contains { $0.hasPrefix("police.incidents.yaml: $.events[0].stateIdOptional: only an event of a topic keyed by subject.stateId") })
    }
}
