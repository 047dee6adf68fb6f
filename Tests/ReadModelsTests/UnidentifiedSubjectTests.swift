import Contracts
import Foundation
import ServiceKit
import Testing
import TestSupport

@testable import ReadModels

/// A police record its contract admits without the state ID (version 2 of arrests, bookings
/// and contacts: filed under a booking or RMS number before fingerprints are matched) that also
/// lacks the FBI number cannot be filed under a person by the views: it changes no view, is
/// counted, and is not a poison message (dead-lettering it would fill the dead-letter topic with
/// events that broke no contract).
@Suite struct UnidentifiedSubjectTests {
    typealias E = CaseloadEvents

    /// Known to the jail by its booking number only.
    static let bookedOnly = SubjectIdentifiers(
        bookingNumber: "2026-118804", name: PersonName(given: "Darnel", family: "Reyes"), dateOfBirth: CalendarDate("1990-07-14"))

    @Test func aRecordUnderAnotherNumberOnlyChangesNoViewAndIsCounted() async throws {
        let views = try await SealingHarness.views(ReadModelCatalog.all)
        try await views.apply(CaseloadScenarios.everyKindOfEvent())
        let before = try await views.rows()

        let records = [
            try E.arrest("KCPD-A-77", Self.bookedOnly, at: E.now), try E.booking("JCDC-B-77", Self.bookedOnly, at: E.now),
            try E.contact("KCPD-C-77", Self.bookedOnly, relation: .subject, atResidence: false, kind: .trafficStop, at: E.now),
        ]
        for record in records {
            #expect(record.schemaVersion == 2, "\(record.eventType)")
            let (messages, counted) = try await views.harness.applyCounting(record)
            #expect(messages.isEmpty, "\(record.eventType)")
            #expect(counted == [ViewsProjection.unidentifiedMetric], "\(record.eventType)")
        }
        #expect(try await views.rows() == before)
    }

    /// Version 2 with an FBI number is kept under it (the state ID is what may be missing).
    @Test func aRecordWithTheFBINumberIsKept() async throws {
        let views = try await SealingHarness.views(ReadModelCatalog.all)
        try await views.apply([try E.caseStarted("PP-1", E.reyes)])
        let arrest = try E.arrest("KCPD-A-78", E.reyesByFBI, at: E.now)
        #expect(arrest.schemaVersion == 2)
        let (_, counted) = try await views.harness.applyCounting(arrest)
        #expect(counted.isEmpty)
        let flags = try await views.read { try $0.fetchAll("SELECT person_key FROM caseload_flags WHERE record_id = 'KCPD-A-78'") }
        #expect(try flags.map { try $0.get("person_key", as: String.self) } == ["fbi:734591KA2"])
    }

    /// An event of the first version without either number broke its contract (the runtime's
    /// admission refuses it before the views see it); handed over anyway, the views still
    /// refuse it rather than leave it out quietly.
    @Test func theFirstVersionWithoutEitherNumberIsStillRefused() async throws {
        let views = try await SealingHarness.views(ReadModelCatalog.all)
        var arrest = try E.arrest("KCPD-A-79", Self.bookedOnly, at: E.now)
        arrest.schemaVersion = ArrestMade.schemaVersion
        let refusal = await #expect(throws: PoisonMessage.self) { try await views.harness.applyCounting(arrest) }
        #expect(refusal?.reason == "\(CaseloadStore().name): \(PersonKey.missingIdentifiers)")
    }
}
