import Contracts
import Foundation
import ReadModels
import ServiceKit
import Storage
import Testing

/// The caseload view's behaviour, written once and run on SQLite and on PostgreSQL
/// (`CaseloadStoreTests`).
enum CaseloadScenarios {
    typealias E = CaseloadEvents
    static let store = CaseloadStore()
    static let missingIdentifiers = "subject.stateId and subject.fbiNumber are both missing or say there is none (\"UNKNOWN\", zeros)"

    static func migrated(_ database: any StorageDatabase, _ events: [AdmittedEvent] = []) async throws {
        try await ViewDatabase.migrate(store, database)
        try await ViewDatabase.apply(store, events, database)
    }

    static func officer(
        _ officerId: String, asOf: Date, since: Date? = nil, kinds: Set<CaseloadFlag.Kind>? = nil, _ database: any StorageDatabase
    ) async throws -> [CaseloadEntry] {
        try await database.write { try store.caseload(officerId: officerId, asOf: asOf, since: since, kinds: kinds, in: $0) }
    }

    static func agency(_ agencyId: String, asOf: Date, _ database: any StorageDatabase) async throws -> [CaseloadEntry] {
        try await database.write { try store.caseload(agencyId: agencyId, asOf: asOf, in: $0) }
    }

    /// Each supervisee's flags as (kind, source record id), latest first.
    static func flags(_ entries: [CaseloadEntry]) -> [String: [String]] {
        Dictionary(uniqueKeysWithValues: entries.map { ($0.caseId, $0.flags.map { "\($0.kind.rawValue) \($0.sourceRecordId)" }) })
    }

    // MARK: The case

    /// Officer, conditions, address with household and the latest assessment are those in
    /// force at the moment asked about.
    static func caseDetailsAreThoseInForceAsOf(_ database: any StorageDatabase) async throws {
        let angela = HouseholdMember(name: PersonName(given: "Angela", family: "Reyes"), relationship: "mother")
        let first = [SupervisionCondition(kind: .reporting), SupervisionCondition(kind: .curfew, description: "21:00 to 06:00")]
        let second = [SupervisionCondition(kind: .reporting), SupervisionCondition(kind: .electronicMonitoring)]
        let third = [SupervisionCondition(kind: .reporting)]
        try await migrated(database, [
            try E.caseStarted(start: E.day(-30)),
            try E.conditionsSet(first, effective: E.day(-30), at: E.at(days: -30)),
            try E.conditionsSet(second, effective: E.day(-5), at: E.at(days: -5)),
            try E.conditionsSet(third, effective: E.day(10), at: E.at(days: -1)),
            try E.addressChanged(E.troost, effective: E.day(-10), household: [angela], at: E.at(days: -11)),
            try E.addressChanged(E.prospect, effective: E.day(5), household: [], at: E.at(days: -1)),
            try E.assessment("AS-1", risk: .high, completedOn: E.day(-40)),
            try E.assessment("AS-2", risk: .moderate, completedOn: E.day(-3)),
            try E.assessment("AS-3", risk: .low, completedOn: E.day(2)),
        ])

        let today = try await officer(E.brooks.officerId, asOf: E.now, database)
        #expect(today == [CaseloadEntry(
            caseId: "PP-1", personKey: "sid:MO1234567", stateId: "MO1234567", fbiNumber: "734591KA2", name: E.reyes.name,
            supervisionType: .parole, supervisingAgencyId: E.agency, officer: E.brooks, startDate: E.day(-30),
            expectedEndDate: E.day(700), conditions: second, conditionsEffectiveDate: E.day(-5), address: E.troost,
            addressEffectiveDate: E.day(-10), householdMembers: [angela],
            latestAssessment: CaseloadAssessment(assessmentId: "AS-2", instrument: "ORAS-CST", riskLevel: .moderate, completedOn: E.day(-3)),
            flags: [])])

        let earlier = try #require(try await officer(E.brooks.officerId, asOf: E.at(days: -20), database).first)
        #expect(earlier.conditions == first)
        #expect(earlier.address == E.home)
        #expect(earlier.addressEffectiveDate == E.day(-30))
        #expect(earlier.householdMembers == nil)  // a case's start address does not say who lives there
        #expect(earlier.latestAssessment?.assessmentId == "AS-1")

        let later = try #require(try await officer(E.brooks.officerId, asOf: E.at(days: 12), database).first)
        #expect(later.conditions == third)
        #expect(later.address == E.prospect)
        #expect(later.householdMembers == [])
        #expect(later.latestAssessment?.riskLevel == .low)
    }

    /// Before its start date a case is not on the caseload; from its start to its end date
    /// (both included) it is; the day after it has left, for the officer and the agency. An
    /// end read before its start still ends it.
    static func endedCaseLeavesTheCaseload(_ database: any StorageDatabase) async throws {
        try await migrated(database, [
            try E.caseStarted("PP-1", E.reyes, start: E.day(-30)),
            try E.caseStarted("PP-2", E.okafor, start: E.day(-30)),
            try E.caseEnded("PP-1", E.reyes, on: E.day(0)),
            try E.caseEnded("PP-3", E.lindqvist, on: E.day(-1)),
            try E.caseStarted("PP-3", E.lindqvist, start: E.day(-30)),
        ])
        #expect(try await officer(E.brooks.officerId, asOf: E.at(days: -31), database).isEmpty)
        #expect(try await officer(E.brooks.officerId, asOf: E.at(days: -2), database).map(\.caseId) == ["PP-1", "PP-2", "PP-3"])
        #expect(try await officer(E.brooks.officerId, asOf: E.now, database).map(\.caseId) == ["PP-1", "PP-2"])
        #expect(try await officer(E.brooks.officerId, asOf: E.at(days: 1), database).map(\.caseId) == ["PP-2"])
        #expect(try await agency(E.agency, asOf: E.at(days: 1), database).map(\.caseId) == ["PP-2"])
    }

    /// A reassignment moves the supervisee from one officer's caseload to the other's from
    /// the moment it took effect; an old case start read again does not move them back.
    static func reassignmentMovesTheSupervisee(_ database: any StorageDatabase) async throws {
        let started = try E.caseStarted(start: E.day(-30))
        try await migrated(database, [started, try E.officerAssigned(E.medina, at: E.at(days: -2))])

        #expect(try await officer(E.brooks.officerId, asOf: E.now, database).isEmpty)
        let medinas = try await officer(E.medina.officerId, asOf: E.now, database)
        #expect(medinas.map(\.caseId) == ["PP-1"])
        #expect(medinas.first?.officer == E.medina)
        #expect(try await officer(E.brooks.officerId, asOf: E.at(days: -3), database).map(\.caseId) == ["PP-1"])
        #expect(try await officer(E.medina.officerId, asOf: E.at(days: -3), database).isEmpty)
        #expect(try await agency(E.agency, asOf: E.now, database).first?.officer == E.medina)

        try await ViewDatabase.apply(store, [started], database)
        #expect(try await officer(E.medina.officerId, asOf: E.now, database).map(\.caseId) == ["PP-1"])

        try await ViewDatabase.apply(store, [try E.officerAssigned(E.brooks, at: E.at(days: -1))], database)
        #expect(try await officer(E.brooks.officerId, asOf: E.now, database).map(\.caseId) == ["PP-1"])
        #expect(try await officer(E.medina.officerId, asOf: E.now, database).isEmpty)
    }

    /// An agency's caseload has every officer's cases and those without an officer, and no
    /// other agency's.
    static func agencyCaseloadHasEveryOfficersCases(_ database: any StorageDatabase) async throws {
        try await migrated(database, [
            try E.caseStarted("PP-1", E.reyes, officer: E.brooks),
            try E.caseStarted("PP-2", E.okafor, officer: nil),
            try E.caseStarted("KS-3", E.lindqvist, officer: E.medina, agency: "KS-DOC-PP"),
        ])
        #expect(try await agency(E.agency, asOf: E.now, database).map(\.caseId) == ["PP-1", "PP-2"])
        #expect(try await agency(E.agency, asOf: E.now, database).map(\.officer) == [E.brooks, nil])
        #expect(try await agency("KS-DOC-PP", asOf: E.now, database).map(\.caseId) == ["KS-3"])
        #expect(try await officer(E.brooks.officerId, asOf: E.now, database).map(\.caseId) == ["PP-1"])
    }

    // MARK: Flags

    /// Arrests, bookings and police contacts flag the supervisee, dated, latest first; a
    /// contact says whether police met the supervisee or a household member, and whether at
    /// their address; an arrest known by the FBI number only still finds them; `since` and
    /// `kinds` answer "who on my caseload had police contact this week" in one call.
    static func policeFlagsAndTheSinceFilter(_ database: any StorageDatabase) async throws {
        try await migrated(database, [
            try E.caseStarted("PP-1", E.reyes), try E.caseStarted("PP-2", E.okafor), try E.caseStarted("PP-3", E.lindqvist),
            try E.arrest("KCPD-A-1", at: E.at(days: -2)),
            try E.booking("JCDC-B-1", at: E.at(hours: -46)),
            try E.contact("KCPD-C-1", relation: .subject, atResidence: false, kind: .trafficStop, at: E.at(days: -1)),
            try E.contact("KCPD-C-2", relation: .householdMember, atResidence: true, kind: .domesticDisturbance, at: E.at(hours: -3)),
            try E.contact("KCPD-C-3", E.okafor, relation: .subject, atResidence: false, kind: .fieldInterview, at: E.at(days: -10)),
            try E.arrest("KCPD-A-2", E.reyesByFBI, at: E.at(days: -4)),
        ])

        let all = try await officer(E.brooks.officerId, asOf: E.now, database)
        #expect(all.map(\.caseId) == ["PP-1", "PP-2", "PP-3"])
        #expect(all.first?.flags == [
            CaseloadFlag(kind: .policeContact, date: E.at(hours: -3), sourceRecordId: "KCPD-C-2", agencyId: "MO-KCPD",
                         detail: "domestic_disturbance", relationToSubject: .householdMember, atSubjectResidence: true),
            CaseloadFlag(kind: .policeContact, date: E.at(days: -1), sourceRecordId: "KCPD-C-1", agencyId: "MO-KCPD",
                         detail: "traffic_stop", relationToSubject: .subject, atSubjectResidence: false),
            CaseloadFlag(kind: .booking, date: E.at(hours: -46), sourceRecordId: "JCDC-B-1", agencyId: E.jail.facilityId, detail: E.jail.name),
            CaseloadFlag(kind: .arrest, date: E.at(days: -2), sourceRecordId: "KCPD-A-1", agencyId: "MO-KCPD", detail: "Unlawful use of a weapon"),
            CaseloadFlag(kind: .arrest, date: E.at(days: -4), sourceRecordId: "KCPD-A-2", agencyId: "MO-KCPD", detail: "Unlawful use of a weapon"),
        ])
        #expect(flags(all)["PP-2"] == ["police_contact KCPD-C-3"])
        #expect(flags(all)["PP-3"] == [])

        let contactsThisWeek = try await officer(E.brooks.officerId, asOf: E.now, since: E.at(days: -7), kinds: [.policeContact], database)
        #expect(flags(contactsThisWeek) == ["PP-1": ["police_contact KCPD-C-2", "police_contact KCPD-C-1"]])

        let thisWeek = try await officer(E.brooks.officerId, asOf: E.now, since: E.at(days: -7), database)
        #expect(thisWeek.map(\.caseId) == ["PP-1"])
        #expect(thisWeek.first?.flags.count == 5)

        let before = try await officer(E.brooks.officerId, asOf: E.at(hours: -36), database)
        #expect(flags(before) == [
            "PP-1": ["booking JCDC-B-1", "arrest KCPD-A-1", "arrest KCPD-A-2"], "PP-2": ["police_contact KCPD-C-3"], "PP-3": [],
        ])
    }

    /// An incident flags each supervisee it names by state ID as victim or suspect; people
    /// without a state ID cannot be matched, and an incident naming nobody by state ID flags
    /// nobody (it is valid, so it is not a poison message): only its report's time is kept,
    /// no person (a later report may name someone, an earlier one read later must not).
    static func violentIncidentFlagsVictimsAndSuspects(_ database: any StorageDatabase) async throws {
        let unknown = InvolvedPerson(name: PersonName(family: "Unknown"), underSupervision: false)
        try await migrated(database, [
            try E.caseStarted("PP-1", E.reyes), try E.caseStarted("PP-2", E.okafor),
            try E.incident("KCPD-I-1", victims: [E.involved(E.reyes)], suspects: [E.involved(E.okafor), unknown], at: E.at(days: -3)),
        ])
        let entries = try await agency(E.agency, asOf: E.now, database)
        #expect(flags(entries) == ["PP-1": ["violent_incident_victim KCPD-I-1"], "PP-2": ["violent_incident_suspect KCPD-I-1"]])
        #expect(entries.first?.flags.first == CaseloadFlag(
            kind: .violentIncidentVictim, date: E.at(days: -3), sourceRecordId: "KCPD-I-1", agencyId: "MO-KCPD", detail: "shooting"))

        var before = try await ViewDatabase.tables(database, prefixes: ["caseload_", "views_"])
        #expect(try await ViewDatabase.poisonReason(store, try E.incident("KCPD-I-2", victims: [unknown], suspects: nil, at: E.now), database) == nil)
        var after = try await ViewDatabase.tables(database, prefixes: ["caseload_", "views_"])
        let (reportsBefore, reportsAfter) = (before.removeValue(forKey: "caseload_incident_reports"), after.removeValue(forKey: "caseload_incident_reports"))
        #expect(after == before)
        #expect((reportsAfter?.count ?? 0) == (reportsBefore?.count ?? 0) + 1)
    }

    /// A later report of an incident names its people anew: someone it no longer names loses
    /// the flag, a suspect it calls a victim is a suspect no more; the earlier report read
    /// after it (another order of the topics, a late delivery) changes nothing. Both orders
    /// end alike.
    static func laterIncidentReportReplacesItsPeople(_ first: any StorageDatabase, _ second: any StorageDatabase) async throws {
        let cases = [try E.caseStarted("PP-1", E.reyes), try E.caseStarted("PP-2", E.okafor)]
        let earlier = try E.incident("KCPD-I-1", victims: [E.involved(E.reyes)], suspects: [E.involved(E.okafor)], at: E.at(days: -3))
        let later = try E.incident("KCPD-I-1", victims: [E.involved(E.okafor)], suspects: nil, at: E.at(days: -2))
        try await migrated(first, cases + [earlier, later])
        try await migrated(second, cases + [later, earlier])
        for database in [first, second] {
            #expect(flags(try await agency(E.agency, asOf: E.now, database)) == ["PP-1": [], "PP-2": ["violent_incident_victim KCPD-I-1"]])
        }
    }

    /// Each warrant is active from its issue day until served, recalled or quashed; a
    /// detainer until lifted. A warrant issued after the moment asked about is not active yet.
    static func warrantsAndDetainersSetAndCleared(_ database: any StorageDatabase) async throws {
        try await migrated(database, [
            try E.caseStarted(),
            try E.warrantIssued("W-SERVED", kind: .failureToAppear, issuedOn: E.day(-20)),
            try E.warrantIssued("W-RECALLED", kind: .bench, issuedOn: E.day(-15)),
            try E.warrantIssued("W-QUASHED", kind: .arrest, issuedOn: E.day(-12)),
            try E.detainerLodged("D-1", lodgedOn: E.day(-8)),
            try E.warrantIssued("W-LATER", issuedOn: E.day(3)),
        ])
        func active(_ asOf: Date = E.now) async throws -> [String] {
            try await officer(E.brooks.officerId, asOf: asOf, database).first?.flags.map { "\($0.kind.rawValue) \($0.sourceRecordId)" } ?? []
        }
        #expect(try await active() == ["active_detainer D-1", "active_warrant W-QUASHED", "active_warrant W-RECALLED", "active_warrant W-SERVED"])
        #expect(try await active(E.at(days: -16)) == ["active_warrant W-SERVED"])
        let served = try #require(try await officer(E.brooks.officerId, asOf: E.now, database).first?.flags.last)
        #expect(served == CaseloadFlag(
            kind: .activeWarrant, date: E.startOf(E.day(-20)), sourceRecordId: "W-SERVED", agencyId: E.court, detail: "failure_to_appear"))

        try await ViewDatabase.apply(store, [try E.warrantServed("W-SERVED", at: E.at(days: -2))], database)
        #expect(try await active() == ["active_detainer D-1", "active_warrant W-QUASHED", "active_warrant W-RECALLED"])
        #expect(try await active(E.at(days: -3)).contains("active_warrant W-SERVED"))

        try await ViewDatabase.apply(store, [try E.warrantRecalled("W-RECALLED", on: E.day(-1))], database)
        #expect(try await active() == ["active_detainer D-1", "active_warrant W-QUASHED"])

        try await ViewDatabase.apply(store, [try E.warrantQuashed("W-QUASHED", on: E.day(0))], database)
        #expect(try await active() == ["active_detainer D-1"])

        try await ViewDatabase.apply(store, [try E.detainerLifted("D-1", on: E.day(0))], database)
        #expect(try await active() == [])
        #expect(try await officer(E.brooks.officerId, asOf: E.now, database).map(\.caseId) == ["PP-1"])  // still supervised
        #expect(try await active(E.at(days: 4)) == ["active_warrant W-LATER"])
    }

    /// A scheduled release flags the supervisee with its date from when it was scheduled; a
    /// change moves it (an older event read again does not); a cancellation or completion
    /// removes it.
    static func scheduledReleaseMovedCancelledCompleted(_ database: any StorageDatabase) async throws {
        let scheduled = try E.releaseScheduled("R-1", expectedAt: E.at(days: 20), at: E.at(days: -5))
        try await migrated(database, [try E.caseStarted(), scheduled])
        func releases(_ asOf: Date = E.now) async throws -> [CaseloadFlag] {
            try await officer(E.brooks.officerId, asOf: asOf, kinds: [.scheduledRelease], database).first?.flags ?? []
        }
        #expect(try await releases() == [CaseloadFlag(
            kind: .scheduledRelease, date: E.at(days: 20), sourceRecordId: "R-1", agencyId: E.werdcc.facilityId, detail: E.werdcc.name)])
        #expect(try await releases(E.at(days: -6)) == [])

        try await ViewDatabase.apply(store, [try E.releaseChanged("R-1", expectedAt: E.at(days: 25), at: E.at(days: -4))], database)
        #expect(try await releases().map(\.date) == [E.at(days: 25)])
        try await ViewDatabase.apply(store, [scheduled, try E.releaseChanged("R-1", expectedAt: nil, at: E.at(days: -3))], database)
        #expect(try await releases().map(\.date) == [E.at(days: 25)])

        try await ViewDatabase.apply(store, [try E.releaseCancelled("R-1", at: E.at(days: -1))], database)
        #expect(try await releases() == [])
        #expect(try await releases(E.at(days: -2)).map(\.date) == [E.at(days: 25)])

        try await ViewDatabase.apply(store, [
            try E.releaseScheduled("R-2", facility: E.jail, expectedAt: E.at(days: 3), at: E.at(days: -3)),
            try E.releaseCompleted("R-2", facility: E.jail, at: E.at(hours: -1)),
        ], database)
        #expect(try await releases() == [])
        #expect(try await releases(E.at(hours: -2)).map(\.sourceRecordId) == ["R-2"])
    }

    // MARK: Delivery: repeats, order, bad input

    /// One of every event the caseload reads, about two supervisees.
    static func everyKindOfEvent() throws -> [AdmittedEvent] {
        [
            try E.caseStarted("PP-1", E.reyes, start: E.day(-5), at: E.at(days: -6)),
            try E.caseStarted("PP-2", E.okafor, officer: E.medina, start: E.day(-60)),
            try E.officerAssigned(E.medina, "PP-1", at: E.at(days: -2)),
            try E.conditionsSet([SupervisionCondition(kind: .noWeapons)], effective: E.day(-5), "PP-1", at: E.at(days: -5)),
            try E.addressChanged(E.troost, effective: E.day(-4), household: [], "PP-1", at: E.at(days: -4)),
            try E.assessment("AS-1", risk: .high, completedOn: E.day(-20)),
            try E.arrest("KCPD-A-1", at: E.at(days: -10)),
            try E.booking("JCDC-B-1", at: E.at(days: -10)),
            try E.contact("KCPD-C-1", relation: .associate, atResidence: false, kind: .fieldInterview, at: E.at(days: -1)),
            try E.incident("KCPD-I-1", victims: [E.involved(E.okafor)], suspects: [E.involved(E.reyes)], at: E.at(days: -3)),
            try E.warrantIssued("W-1", issuedOn: E.day(-7)),
            try E.warrantIssued("W-2", E.okafor, issuedOn: E.day(-9)),
            try E.warrantRecalled("W-2", E.okafor, on: E.day(-2)),
            try E.detainerLodged("D-1", E.okafor, lodgedOn: E.day(-6)),
            try E.releaseScheduled("R-1", expectedAt: E.at(days: 30), at: E.at(days: -8)),
            try E.releaseChanged("R-1", expectedAt: E.at(days: 40), at: E.at(days: -1)),
            try E.releaseScheduled("R-2", E.okafor, expectedAt: E.at(days: 2), at: E.at(days: -8)),
            try E.releaseCancelled("R-2", E.okafor, at: E.at(days: -7)),
            try E.caseEnded("PP-2", E.okafor, on: E.day(5)),
        ]
    }

    /// Every event applied a second time (all again, and each twice in a row) changes no
    /// table and no answer.
    static func applyingEveryEventTwiceChangesNothing(_ database: any StorageDatabase) async throws {
        let events = try everyKindOfEvent()
        try await migrated(database, events)
        let tables = try await ViewDatabase.tables(database, prefixes: ["caseload_", "views_"])
        #expect(tables.count == 12)
        let answer = try await agency(E.agency, asOf: E.now, database)
        #expect(answer.count == 2)

        try await ViewDatabase.apply(store, events, database)
        try await ViewDatabase.apply(store, events.flatMap { [$0, $0] }, database)
        #expect(try await ViewDatabase.tables(database, prefixes: ["caseload_", "views_"]) == tables)
        #expect(try await agency(E.agency, asOf: E.now, database) == answer)
    }

    /// Facts read before the case exists show once it does (an arrest dated before the
    /// start date too: flags are the person's); the same events in reverse order give the
    /// same tables and answers as in order (`inOrder`, a second database of the same kind).
    static func factsReadBeforeTheCaseShowOnceItStarts(_ database: any StorageDatabase, _ inOrder: any StorageDatabase) async throws {
        let events = try everyKindOfEvent()
        try await migrated(database, [try E.arrest("KCPD-A-1", at: E.at(days: -10))])
        #expect(try await agency(E.agency, asOf: E.now, database).isEmpty)
        try await ViewDatabase.apply(store, [events[0]], database)
        #expect(flags(try await agency(E.agency, asOf: E.now, database)) == ["PP-1": ["arrest KCPD-A-1"]])
        #expect(try await agency(E.agency, asOf: E.at(days: -6), database).isEmpty)  // before the start date

        try await ViewDatabase.apply(store, events.reversed(), database)
        let answer = try await officer(E.medina.officerId, asOf: E.now, database)
        #expect(flags(answer) == [
            // The release's date is ahead of today, so it sorts first; same-moment flags by kind.
            "PP-1": ["scheduled_release R-1", "police_contact KCPD-C-1", "violent_incident_suspect KCPD-I-1", "active_warrant W-1",
                     "arrest KCPD-A-1", "booking JCDC-B-1"],
            "PP-2": ["violent_incident_victim KCPD-I-1", "active_detainer D-1"],
        ])
        #expect(answer.first { $0.caseId == "PP-1" }?.latestAssessment?.assessmentId == "AS-1")
        #expect(answer.first { $0.caseId == "PP-1" }?.address == E.troost)

        try await migrated(inOrder, events)
        #expect(try await ViewDatabase.tables(inOrder, prefixes: ["caseload_", "views_"]) == ViewDatabase.tables(database, prefixes: ["caseload_", "views_"]))
        #expect(try await officer(E.medina.officerId, asOf: E.now, inOrder) == answer)
    }

    /// An event about a person without a state ID or FBI number, or one that does not decode,
    /// is a poison message and leaves every table as it was.
    static func poisonEventsLeaveTheTablesUnchanged(_ database: any StorageDatabase) async throws {
        try await migrated(database, try everyKindOfEvent())
        let before = try await ViewDatabase.tables(database, prefixes: ["caseload_", "views_"])
        #expect(before.values.allSatisfy { !$0.isEmpty })

        let poisons: [AdmittedEvent] = [
            try E.caseStarted("PP-9", E.docOnly), try E.caseStarted("PP-9", nil), try E.caseEnded("PP-1", E.docOnly, on: E.day(0)),
            try E.officerAssigned(E.brooks, "PP-1", E.docOnly, at: E.now),
            try E.conditionsSet([SupervisionCondition(kind: .curfew)], effective: E.day(0), "PP-1", E.docOnly),
            try E.addressChanged(E.home, effective: E.day(0), household: nil, "PP-1", E.docOnly),
            try E.assessment("AS-9", E.docOnly, risk: .low, completedOn: E.day(0)),
            try E.arrest("KCPD-A-9", E.docOnly, at: E.now), try E.booking("JCDC-B-9", E.docOnly, at: E.now),
            try E.contact("KCPD-C-9", E.docOnly, relation: .subject, atResidence: true, kind: .welfareCheck, at: E.now),
            try E.warrantIssued("W-9", E.docOnly, issuedOn: E.day(0)), try E.warrantServed("W-1", E.docOnly, at: E.now),
            try E.warrantRecalled("W-1", E.docOnly, on: E.day(0)), try E.warrantQuashed("W-1", E.docOnly, on: E.day(0)),
            try E.detainerLodged("D-9", E.docOnly, lodgedOn: E.day(0)), try E.detainerLifted("D-1", E.docOnly, on: E.day(0)),
            try E.releaseScheduled("R-9", E.docOnly, expectedAt: E.at(days: 1), at: E.now),
            try E.releaseChanged("R-1", E.docOnly, expectedAt: E.at(days: 1), at: E.now),
            try E.releaseCancelled("R-1", E.docOnly, at: E.now), try E.releaseCompleted("R-1", E.docOnly, at: E.now),
        ]
        for poison in poisons {
            #expect(try await ViewDatabase.poisonReason(store, poison, database) == missingIdentifiers, "\(poison.eventType)")
        }
        var garbled = try E.arrest("KCPD-A-8", at: E.now)
        garbled.value = Array(#"{"eventType":"police.arrest.made"}"#.utf8)
        let reason = try await ViewDatabase.poisonReason(store, garbled, database)
        #expect(reason?.contains("police.arrest.made") == true)
        #expect(try await ViewDatabase.tables(database, prefixes: ["caseload_", "views_"]) == before)
    }
}
