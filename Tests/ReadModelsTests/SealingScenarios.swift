import Contracts
import Foundation
import ServiceKit
import Storage
import Testing

@testable import ReadModels

/// How the sealing test's order names Reyes, and which kind it is (both kinds remove alike).
enum OrderNaming: String, CaseIterable, Sendable {
    /// Sealed; state ID and FBI number.
    case bothNumbers
    /// Expunged; FBI number only: rows filed under his state ID go through the rows that pair
    /// the two numbers.
    case fbiNumberOnly
    /// Sealed; state ID only.
    case stateIdOnly

    var kind: SealingOrder.Kind { self == .fbiNumberOnly ? .expunged : .sealed }

    var subject: SubjectIdentifiers {
        let reyes = SealingEvents.reyes
        return switch self {
        case .bothNumbers: reyes
        case .fbiNumberOnly: SubjectIdentifiers(fbiNumber: reyes.fbiNumber)
        case .stateIdOnly: SubjectIdentifiers(stateId: reyes.stateId)
        }
    }
}

/// What a sealing or expungement order does to each view, written once and run on SQLite
/// and PostgreSQL (`SealingTests`): Reyes is sealed, Okafor (in every table too, a co-defendant
/// of one of Reyes's court cases, named with him in an incident and an investigation) stays.
enum SealingScenarios {
    typealias S = SealingEvents
    typealias E = ReleaseTestEvents

    /// Every view, the release board trusting the tests' signed notifications.
    static var stores: [any ReadModelStore] {
        [CaseloadStore(), CourtStore(), PoliceViewStore(), ReleaseBoardScenario.verifyingStore, HighNeedsStore(), SafetyStore()]
    }

    static let storeNames = stores.map(\.name)

    static func store(_ name: String) throws -> any ReadModelStore {
        try #require(stores.first { $0.name == name })
    }

    /// Tables that hold no one's data (an incident's kind and time, an investigation's area, a
    /// closed investigation's id, an incident's latest report time): Reyes is never in them.
    static let tablesOfNobody: Set<String> = [
        "reentry_incidents", "safety_incidents", "safety_investigations", "safety_closed_investigations", "caseload_incident_reports",
    ]

    /// What marks a row as Reyes's or derived from his records: his numbers, his name, and
    /// the ids of the events about him (a notification names its source event; a release's
    /// notification may name only the release's events).
    static func aboutReyes() throws -> [String] {
        S.reyesIdentifiers + (try S.reyesRecords()).map(\.eventId)
    }

    // MARK: all_records

    /// Every row about Reyes (in every table that holds people, checked first) is removed,
    /// with every row derived from his records, and nothing else; the tally counts what went
    /// from each table. Whether the order names him by both numbers, the FBI number or the
    /// state ID alone, sealed or expunged.
    static func allRecordsRemoveEveryRowOfThePerson(_ name: String, _ naming: OrderNaming) async throws {
        let views = try await SealingHarness.views([try store(name)])
        try await views.apply(try S.everything())
        let before = try await views.rows()
        let aboutReyes = try aboutReyes()
        for table in views.tables where !tablesOfNobody.contains(table) {
            #expect(before.holding(aboutReyes)[table]?.isEmpty == false, "\(table) holds nothing about Reyes: the test would show nothing")
        }

        let tally = try await views.seal(try S.order(naming.kind, .allRecords, subject: naming.subject))
        let after = try await views.rows()
        #expect(after == before.without(aboutReyes))
        #expect(after.holding(S.okaforIdentifiers) == before.holding(S.okaforIdentifiers))
        #expect(tally.rowsByTable == after.removed(since: before))
        #expect(tally.total > 0)
    }

    // MARK: listed_cases

    /// Only the listed cases go: Reyes's supervision case CASE-R1 with its facts, his warrant
    /// of the listed court case with the detainer resting on it and the notification sourced
    /// from it. His other supervision case and warrant, his records of no case (flags,
    /// assessments, releases, bulletins, incidents) and Okafor's warrant of the same court case
    /// stay.
    static func listedCasesRemoveOnlyThoseCases(_ name: String) async throws {
        let views = try await SealingHarness.views([try store(name)])
        try await views.apply(try S.everything())
        let before = try await views.rows()
        let ofListedCases = ["CASE-R1", "W-R1", E.eventId("issued-W-R1").uuidString.lowercased(), S.reyesCaseNotice.id]

        let tally = try await views.seal(try S.order(.expunged, .listedCases, cases: ["CASE-R1", S.sharedCourtCase]))
        let after = try await views.rows()
        #expect(after == before.without(ofListedCases))
        #expect(after.holding(["W-O1", "CASE-R2", "W-R2", "REL-R"]) == before.holding(["W-O1", "CASE-R2", "W-R2", "REL-R"]))
        #expect(tally.rowsByTable == after.removed(since: before))
        let keepsCasesOrWarrants = name != HighNeedsStore().name
        #expect((tally.total > 0) == keepsCasesOrWarrants)
    }

    /// A detainer resting on the listed case's warrant, lodged before the order but read after
    /// it (a late delivery), is not kept: nothing in it names the case, but the warrant it rests
    /// on is one the order removed. (For the views that keep detainers.)
    static func aLateDetainerRestingOnASealedWarrantIsNotKept(_ name: String) async throws {
        let views = try await SealingHarness.views([try store(name)])
        try await views.apply(try S.everything())
        try await views.seal(try S.order(.expunged, .listedCases, cases: [S.sharedCourtCase]))
        let before = try await views.rows()
        #expect(before.holding(["D-R1"]).values.allSatisfy { $0.isEmpty })
        try await views.apply([try S.detainerLodged("D-R3", S.reyes, restingOn: "W-R1")])
        #expect(try await views.rows() == before)
    }

    /// A warrant id is unique only within its issuing court, and a detainer names the warrant
    /// and the person, not the court: after a listed-case order removes Reyes's W-R1 (of
    /// MO-JACKSON-CC), MO-CIRCUIT7's W-R1 of Okafor is another warrant, and a detainer lodged on
    /// it naming Okafor's state ID, before the order and read after it, is kept (a legitimate
    /// hold request), as is one naming an FBI number alone that is not Reyes's (the view knew
    /// his). One on W-R1 naming Reyes's state ID alone, his FBI number alone, or no number
    /// (nothing says whose it is) is the sealed case's, and not kept. Each detainer refused by
    /// the sealing check is counted with the digest that matched (the one naming no number is
    /// refused before it, counted as unidentified), the kept ones are not. So are detainers on a
    /// warrant the runtime kept out (its note in the ledger) of a person known by a state ID
    /// alone, naming an FBI number alone (it may be anyone's: refused), and on one remembered by
    /// its id alone (written before warrants were remembered with their person). (For the views
    /// that keep detainers.)
    static func aDetainerOnAnotherPersonsWarrantOfTheSameIdIsKept(_ name: String) async throws {
        try await aDetainerOnAnotherPersonsWarrantOfTheSameIdIsKept(stores: [name])
    }

    /// ``aDetainerOnAnotherPersonsWarrantOfTheSameIdIsKept(_:)`` with `stores` side by side, as
    /// the views service runs them: they share one warrant ledger, and a refusal is counted once
    /// for the event, not once per store.
    static func aDetainerOnAnotherPersonsWarrantOfTheSameIdIsKept(stores names: [String]) async throws {
        let views = try await SealingHarness.views(try names.map(store))
        try await views.apply(try S.everything())
        try await views.seal(try S.order(.expunged, .listedCases, cases: [S.sharedCourtCase]))
        let before = try await views.rows()
        #expect(before.holding(["W-R1", "D-R1"]).values.allSatisfy { $0.isEmpty })

        let issuedAt = E.instant("2026-01-20T16:00:00Z")
        let okafors = try E.admitted(EventEnvelope(
            eventId: E.eventId("issued-W-R1-circuit7"), occurredAt: issuedAt, recordedAt: issuedAt,
            source: SourceAgency(agencyId: "MO-CIRCUIT7", agencyKind: .court),
            subject: S.okafor,
            payload: WarrantIssued(
                warrantId: "W-R1", warrantKind: .bench, issuedOn: E.day("2026-01-20"), issuingAgencyId: "MO-CIRCUIT7",
                caseNumber: "0716-CR-OTHER", charges: [])),
            topic: "courts.warrants")
        let anotherFbiNumber = SubjectIdentifiers(fbiNumber: "118822LB7", name: PersonName(given: "Ana", family: "Lindqvist"))
        let noNumber = SubjectIdentifiers(bookingNumber: "BK-2026-0413", name: PersonName(given: "Jo", family: "Doe"))
        // The runtime's notes of warrants it kept out: Okafor's W-K1, known by his state ID
        // alone, and W-K2 by its id alone.
        let orderedAt = SealingOrder.milliseconds(E.instant("2026-03-01T00:00:00Z"))
        try await views.harness.write { storage, _ in
            let ledger = SealingLedger(storage)
            try ledger.noteRemoved(warrant: "W-K1", stateIds: [S.okafor.stateId], fbiNumbers: [], orderId: "ORDER-K", orderedAtMilliseconds: orderedAt)
            try ledger.noteRemoved(recordOf: SealingLedger.warrantRecord, "W-K2", orderId: "ORDER-K", orderedAtMilliseconds: orderedAt)
        }
        let refusedAs = { (reason: String) in ["record_kind=detainer reason=\(reason)"] }
        for (event, refused) in [
            (okafors, []),
            (try S.detainerLodged("D-O3", S.okafor, restingOn: "W-R1"), []),
            (try S.detainerLodged("D-L3", anotherFbiNumber, restingOn: "W-R1"), []),
            (try S.detainerLodged("D-R3", SubjectIdentifiers(stateId: S.reyes.stateId), restingOn: "W-R1"), refusedAs("person")),
            (try S.detainerLodged("D-R4", SubjectIdentifiers(fbiNumber: S.reyes.fbiNumber), restingOn: "W-R1"), refusedAs("person")),
            // Naming neither number, it changes no view before any sealing check (counted as
            // unidentified: `ViewsProjection.unidentifiedMetric`).
            (try S.detainerLodged("D-X3", noNumber, restingOn: "W-R1"), []),
            (try S.detainerLodged("D-K1", anotherFbiNumber, restingOn: "W-K1"), refusedAs("unknown_number_kind")),
            (try S.detainerLodged("D-K2", S.okafor, restingOn: "W-K2"), refusedAs("id_alone")),
        ] {
            let counted = try await views.refused(event)
            #expect(counted == refused, "\(event.eventType) \(event.eventId)")
        }
        let after = try await views.rows()
        for kept in ["D-O3", "D-L3"] {
            #expect(after.holding([kept]).values.contains { !$0.isEmpty }, "\(kept), another person's, is not kept")
        }
        for refused in ["D-R3", "D-R4", "D-X3", "BK-2026-0413", "D-K1", "D-K2"] {
            #expect(after.holding([refused]).values.allSatisfy { $0.isEmpty }, "\(refused) is kept")
        }
        #expect(after.holding(S.reyesIdentifiers) == before.holding(S.reyesIdentifiers))
    }

    static let storesKeepingDetainers = [CaseloadStore().name, ReleaseBoardStore().name]

    // MARK: People named in payloads

    /// After the order, an incident and an investigation that happened before it but are read
    /// later keep Okafor and not Reyes; an incident that happened after it is a new record and
    /// keeps him. (For the views that keep incidents or investigations.)
    static func peopleNamedInPayloadsAfterTheOrder(_ name: String) async throws {
        let views = try await SealingHarness.views([try store(name)])
        try await views.apply(try S.everything())
        try await views.seal(try S.order(.sealed, .allRecords))
        try await views.apply([
            try S.incident("INC-2", victims: [S.reyes], suspects: [S.okafor], reportedAt: E.instant("2026-02-25T10:00:00Z")),
            try S.investigation("INV-2", naming: [S.reyes, S.okafor], at: E.instant("2026-02-26T10:00:00Z")),
            try S.incident("INC-3", victims: [S.reyes], suspects: [], reportedAt: E.later(days: 1)),
        ])
        let after = try await views.rows()
        let reyesRows = after.holding(S.reyesIdentifiers).values.flatMap { $0 }
        #expect(!reyesRows.isEmpty, "the incident after the order is kept")
        #expect(reyesRows.allSatisfy { $0.contains("INC-3") })
        #expect(after.holding(["INC-2"]).holding(S.okaforIdentifiers).values.contains { !$0.isEmpty })
        if name == SafetyStore().name {
            #expect(after.holding(["INV-2"]).holding(S.okaforIdentifiers).values.contains { !$0.isEmpty })
        }
    }

    static let storesKeepingPayloadPeople = [CaseloadStore().name, HighNeedsStore().name, SafetyStore().name]

    // MARK: Every view

    /// Every view together, as the `views` service keeps them: before the order each query of
    /// Reyes's officer, agency, court, city, facility, the high-needs list and the safety check
    /// of his address shows him and Okafor; after it, each shows Okafor and nothing about
    /// Reyes, no table holds anything about him, and the tally is every store's. A second copy
    /// of the order removes nothing.
    static func everyQueryShowsNothingAboutThePersonAfterward() async throws {
        let views = try await SealingHarness.views(stores)
        try await views.apply(try S.everything())
        let rowsBefore = try await views.rows()
        for (query, answer) in try await answers(views) {
            #expect(S.reyesIdentifiers.contains { answer.contains($0) }, "\(query) shows nothing about Reyes before the order")
            #expect(S.okaforIdentifiers.contains { answer.contains($0) }, "\(query) shows nothing about Okafor")
        }

        let tally = try await views.seal(try S.order(.expunged, .allRecords))
        for (query, answer) in try await answers(views) {
            #expect(!S.reyesIdentifiers.contains { answer.contains($0) }, "\(query) still shows Reyes")
            #expect(S.okaforIdentifiers.contains { answer.contains($0) }, "\(query) no longer shows Okafor")
        }
        let rowsAfter = try await views.rows()
        #expect(rowsAfter.holding(try aboutReyes()).values.allSatisfy(\.isEmpty))
        #expect(tally.rowsByTable == rowsAfter.removed(since: rowsBefore))
        #expect(
            Set(tally.rowsByTable.keys.map { String($0.prefix { $0 != "_" }) })
                == ["caseload", "police", "releases", "reentry", "safety", "views"])

        #expect(try await views.seal(try S.order(.expunged, .allRecords)).total == 0)
        let orders = try await views.read { try SealingLedger($0).orders() }
        #expect(orders.map(\.rowsRemoved) == [Int64(tally.total)])
    }

    /// Version 2 of `supervision.cases` and of the bulletins: a supervisee the agency knows by
    /// the FBI number alone (supervised here under the Interstate Compact) is on the officer's
    /// and the agency's caseload, in the police view with the conditions police need and the
    /// bulletin, as a supervisee known by the state ID would be, flagged as the victim of an
    /// incident that names him by the FBI number, and named by an investigation by it (version 2
    /// of each); an order naming the FBI number removes everything about him from every view.
    static func aSuperviseeKnownByTheFBINumberAloneIsInEveryViewUntilTheOrder() async throws {
        let transferee = SubjectIdentifiers(
            fbiNumber: "734591KA2", name: PersonName(given: "Darnell", family: "Reyes"), dateOfBirth: CalendarDate("1990-07-14"))
        // Not "Reyes": Okafor's bulletin names Angela Reyes as his key contact, and stays.
        let identifiers = ["734591KA2", "Darnell"]
        let supervision = [
            try S.caseStarted("CASE-T1", transferee),
            try E.conditionsSet("CASE-T1", transferee, [.curfew, .electronicMonitoring], effective: "2025-07-01"),
            try S.addressChanged("CASE-T1", transferee, household: [HouseholdMember(name: PersonName(given: "Angela", family: "Reyes"), relationship: "mother")]),
            try E.officerAssigned("CASE-T1", transferee, S.officer, at: E.instant("2025-08-01T09:00:00Z")),
            try E.bulletinPublished("B-T", transferee),
        ]
        for event in supervision { #expect(event.schemaVersion == 2, "\(event.eventType)") }
        let incident = try S.incident("KCPD-I-T", victims: [transferee], suspects: [], reportedAt: E.instant("2026-02-21T08:00:00Z"))
        let investigation = try S.investigation("KCPD-INV-T", naming: [transferee], at: E.instant("2026-02-22T08:00:00Z"))
        #expect(incident.schemaVersion == 2 && investigation.schemaVersion == 2)
        let views = try await SealingHarness.views(stores)
        try await views.apply(supervision + [incident, investigation] + (try S.okaforRecords()))
        try await views.describe(PoliceBulletinScopeTests.kcpd)
        #expect(try await views.rows().holding(["734591KA2"])["safety_investigation_people"]?.isEmpty == false)
        let before = try await views.read { transaction in
            (try CaseloadStore().caseload(officerId: S.officer.officerId, asOf: S.orderedAt, in: transaction),
             try PoliceViewStore().view(of: [E.kansasCity], for: "MO-KCPD", asOf: S.orderedAt, in: transaction))
        }
        let entry = try #require(before.0.first { $0.caseId == "CASE-T1" })
        #expect(entry.personKey == "fbi:734591KA2")
        #expect(entry.stateId == nil && entry.fbiNumber == "734591KA2")
        #expect(entry.flags.contains { $0.kind == .violentIncidentVictim && $0.sourceRecordId == "KCPD-I-T" })
        #expect(before.1.supervisees.filter { $0.person.fbiNumber == "734591KA2" }.count == 1)
        #expect(before.1.bulletins.map(\.bulletinId).contains("B-T"))

        _ = try await views.seal(try S.order(.expunged, .allRecords, subject: SubjectIdentifiers(fbiNumber: "734591KA2")))
        for (query, answer) in try await answers(views) {
            #expect(!identifiers.contains { answer.contains($0) }, "\(query) still shows Reyes")
        }
        #expect(try await views.rows().holding(identifiers).values.allSatisfy(\.isEmpty))
        #expect(try await views.rows().holding(S.okaforIdentifiers).values.contains { !$0.isEmpty })
    }

    /// The safety check pairs a person's numbers from the people incidents and investigations
    /// name: an order naming the FBI number alone removes a person they named by the state ID
    /// and the FBI number (rows filed under the state ID), though no case or registered address
    /// pairs the two numbers in that view.
    static func numbersPairedByIncidentsAndInvestigationsAlone() async throws {
        let named = InvolvedPerson(stateId: "MO5550003", fbiNumber: "555003FB1", name: PersonName(given: "Marcus", family: "Tell"))
        let reported = E.instant("2026-02-21T08:00:00Z")
        let incident = try E.admitted(EventEnvelope(
            eventId: E.eventId("incident-paired"), occurredAt: reported, recordedAt: reported, source: E.source(.police), subject: nil,
            payload: ViolentIncidentReported(
                incidentId: "KCPD-I-P", incidentKind: .shooting, incidentAt: E.instant("2026-02-20T22:00:00Z"),
                location: Location(address: S.home), victims: [named])),
            topic: "police.incidents", key: "KCPD-I-P")
        let opened = E.instant("2026-02-22T08:00:00Z")
        let investigation = try E.admitted(EventEnvelope(
            eventId: E.eventId("opened-paired"), occurredAt: opened, recordedAt: opened, source: E.source(.police), subject: nil,
            payload: InvestigationOpened(
                investigationId: "KCPD-INV-P", leadAgencyId: "MO-KCPD", sensitivity: .routine, summary: "Shootings near Main St.",
                personsOfInterest: [named])),
            topic: "police.investigations", key: "KCPD-INV-P")
        let views = try await SealingHarness.views([SafetyStore()])
        try await views.apply([incident, investigation])
        let identifiers = ["MO5550003", "555003FB1", "Marcus"]
        let before = try await views.rows().holding(identifiers)
        #expect(before["safety_incident_people"]?.count == 1 && before["safety_investigation_people"]?.count == 1)

        _ = try await views.seal(try S.order(.expunged, .allRecords, subject: SubjectIdentifiers(fbiNumber: "555003FB1")))
        #expect(try await views.rows().holding(identifiers).values.allSatisfy(\.isEmpty))
        #expect(try await views.rows()["safety_incidents"]?.count == 1, "the incident stays for its place")
    }

    /// The record of a shared ledger that alone pairs a person's two numbers
    /// (``aNumberOnlyASharedLedgerPairsReachesEveryViewSealingAfterTheFirst(_:)``).
    enum PairingRecord: String, CaseIterable, Sendable {
        case release, warrant

        var table: String { self == .release ? "views_releases" : "views_warrants" }

        func event(_ person: SubjectIdentifiers) throws -> AdmittedEvent {
            switch self {
            case .release: try E.scheduled("R-PAIRS", person, expectedAt: E.later(days: 20))
            case .warrant: try E.warrantIssued("W-PAIRS", person)
            }
        }
    }

    /// The views seal the ledgers they share one after the other: the first removes the
    /// person's releases and warrants, and a view sealing after it must still find the numbers
    /// only those records paired with the order's. Here the release or warrant names the person
    /// by both numbers, their supervision case (kept by the caseload and the police view) by
    /// the FBI number alone, and the order by the state ID alone: the police view, sealing
    /// second, finds the FBI number through what the caseload's sealing found before it
    /// removed the shared record.
    static func aNumberOnlyASharedLedgerPairsReachesEveryViewSealingAfterTheFirst(_ record: PairingRecord) async throws {
        let numbers = ["MO7770001", "777001FB1"]
        let views = try await SealingHarness.views([CaseloadStore(), PoliceViewStore()])
        try await views.apply([
            try record.event(E.person(numbers[0], fbiNumber: numbers[1])),
            try S.caseStarted("CASE-PAIRS", E.person(nil, fbiNumber: numbers[1])),
        ])
        let before = try await views.rows().holding(numbers)
        for table in [record.table, "caseload_cases", "police_cases"] {
            #expect(before[table]?.isEmpty == false, "\(table) holds nothing of the person: the test would show nothing")
        }
        #expect(before["police_cases"]?.contains { $0.contains(numbers[0]) } == false, "the police view's own rows pair the numbers")

        _ = try await views.seal(try S.order(.sealed, .allRecords, subject: SubjectIdentifiers(stateId: numbers[0])))
        #expect(try await views.rows().holding(numbers).values.allSatisfy(\.isEmpty))
    }

    /// Each view's queries about the people of ``SealingEvents`` at the order's time, as text.
    static func answers(_ views: SealingHarness) async throws -> [(String, String)] {
        let asOf = S.orderedAt
        return try await views.read { transaction in
            [
                ("caseload of the officer", "\(try CaseloadStore().caseload(officerId: S.officer.officerId, asOf: asOf, in: transaction))"),
                ("caseload of the agency", "\(try CaseloadStore().caseload(agencyId: "MO-DOC-PP", asOf: asOf, in: transaction))"),
                ("court warrants", "\(try CourtStore().warrants(courtId: S.court, asOf: asOf, in: transaction))"),
                ("blocked releases", "\(try CourtStore().blockedReleases(courtId: S.court, asOf: asOf, in: transaction))"),
                ("police view", "\(try PoliceViewStore().view(of: [E.kansasCity], for: "MO-KCPD", asOf: asOf, in: transaction))"),
                ("release board", "\(try ReleaseBoardStore().board(facilityId: E.werdcc.facilityId, asOf: asOf, in: transaction))"),
                ("high needs", "\(try HighNeedsStore().highNeeds(asOf: asOf, in: transaction))"),
                ("safety check", "\(try SafetyStore().check(address: .text("1200 Main St, Kansas City, MO 64105"), radiusMeters: 500, asOf: asOf, in: transaction))"),
            ]
        }
    }
}
