import Contracts
import Foundation
import ReadModels
import ServiceKit
import Storage
import Testing

/// The court and prosecutor view's behaviour, written once and run on SQLite and on
/// PostgreSQL (`CourtStoreTests`).
enum CourtScenarios {
    typealias E = CaseloadEvents
    static let store = CourtStore()

    static func migrated(_ database: any StorageDatabase, _ events: [AdmittedEvent] = []) async throws {
        try await ViewDatabase.migrate(store, database)
        try await ViewDatabase.apply(store, events, database)
    }

    static func warrants(_ database: any StorageDatabase, court: String = E.court, asOf: Date = E.now) async throws -> [CourtWarrant] {
        try await database.write { try store.warrants(courtId: court, asOf: asOf, in: $0) }
    }

    static func blocked(_ database: any StorageDatabase, court: String = E.court, asOf: Date = E.now) async throws -> [BlockedRelease] {
        try await database.write { try store.blockedReleases(courtId: court, asOf: asOf, in: $0) }
    }

    static let assault = Charge(code: "565.076", description: "Domestic assault 4th degree", level: .misdemeanor)

    /// A court's warrants are those it issued, active at the moment asked about (issued by
    /// then, not yet served, recalled or quashed), with issue date, offenses and kind;
    /// detainers are not the court's.
    static func activeWarrantsOfTheCourt(_ database: any StorageDatabase) async throws {
        #expect(!store.handles(eventType: DetainerLodged.eventType))
        try await migrated(database, [
            try E.warrantIssued("W-1", E.reyes, kind: .failureToAppear, issuedOn: E.day(-20), charges: [assault]),
            try E.warrantIssued("W-2", E.okafor, kind: .bench, issuedOn: E.day(-3)),
            try E.warrantIssued("W-3", E.reyes, court: E.otherCourt, issuedOn: E.day(-10)),
            try E.warrantIssued("W-4", E.lindqvist, issuedOn: E.day(2)),
            try E.warrantIssued("W-5", E.reyes, issuedOn: E.day(-30)), try E.warrantServed("W-5", E.reyes, at: E.at(days: -5)),
            try E.warrantIssued("W-6", E.okafor, issuedOn: E.day(-25)), try E.warrantRecalled("W-6", E.okafor, on: E.day(-4)),
            try E.warrantIssued("W-7", E.lindqvist, issuedOn: E.day(-25)), try E.warrantQuashed("W-7", E.lindqvist, on: E.day(-1)),
        ])
        #expect(try await warrants(database) == [
            CourtWarrant(
                warrantId: "W-1", personKey: "sid:MO1234567", stateId: "MO1234567", fbiNumber: "734591KA2", name: E.reyes.name,
                warrantKind: .failureToAppear, issuedOn: E.day(-20), caseNumber: "1616-CR02291", offenses: [assault]),
            CourtWarrant(
                warrantId: "W-2", personKey: "sid:MO7654321", stateId: "MO7654321", fbiNumber: nil, name: E.okafor.name,
                warrantKind: .bench, issuedOn: E.day(-3), caseNumber: "1616-CR02291", offenses: []),
        ])
        #expect(try await warrants(database, asOf: E.at(days: -6)).map(\.warrantId) == ["W-5", "W-6", "W-7", "W-1"])
        #expect(try await warrants(database, asOf: E.at(days: 3)).map(\.warrantId) == ["W-1", "W-2", "W-4"])
        #expect(try await warrants(database, court: E.otherCourt).map(\.warrantId) == ["W-3"])
    }

    /// A pending release of a person the court holds an active warrant for is blocked, with
    /// those warrants; another court's warrant does not block it for this court; a change
    /// moves it; resolving the warrants, cancelling or completing the release unblocks it.
    static func releasesBlockedByTheCourtsWarrants(_ database: any StorageDatabase) async throws {
        try await migrated(database, [
            try E.warrantIssued("W-1", E.reyes, issuedOn: E.day(-20)),
            try E.warrantIssued("W-3", E.okafor, court: E.otherCourt, issuedOn: E.day(-20)),
            try E.releaseScheduled("R-1", E.reyes, expectedAt: E.at(days: 20), at: E.at(days: -5)),
            try E.releaseScheduled("R-2", E.okafor, facility: E.jail, expectedAt: E.at(days: 10), at: E.at(days: -5)),
            try E.releaseScheduled("R-3", E.lindqvist, expectedAt: E.at(days: 5), at: E.at(days: -5)),
            try E.warrantIssued("W-8", E.reyes, issuedOn: E.day(-2)),
        ])
        #expect(try await blocked(database) == [BlockedRelease(
            releaseId: "R-1", personKey: "sid:MO1234567", stateId: "MO1234567", fbiNumber: "734591KA2", name: E.reyes.name,
            facility: E.werdcc, expectedAt: E.at(days: 20), warrantIds: ["W-1", "W-8"])])
        #expect(try await blocked(database, court: E.otherCourt).map(\.releaseId) == ["R-2"])
        #expect(try await blocked(database, asOf: E.at(days: -6)).isEmpty)  // not scheduled yet
        #expect(try await blocked(database, asOf: E.at(days: -3)).map(\.warrantIds) == [["W-1"]])

        try await ViewDatabase.apply(store, [try E.releaseChanged("R-1", E.reyes, expectedAt: E.at(days: 15), at: E.at(days: -1))], database)
        #expect(try await blocked(database).map(\.expectedAt) == [E.at(days: 15)])

        try await ViewDatabase.apply(store, [try E.warrantRecalled("W-1", E.reyes, on: E.day(0))], database)
        #expect(try await blocked(database).map(\.warrantIds) == [["W-8"]])
        try await ViewDatabase.apply(store, [try E.warrantServed("W-8", E.reyes, at: E.at(hours: -1))], database)
        #expect(try await blocked(database).isEmpty)
        #expect(try await blocked(database, asOf: E.at(days: -1)).map(\.warrantIds) == [["W-1", "W-8"]])

        try await ViewDatabase.apply(store, [
            try E.warrantIssued("W-9", E.reyes, issuedOn: E.day(0)),
            try E.warrantIssued("W-10", E.lindqvist, issuedOn: E.day(0)),
        ], database)
        #expect(try await blocked(database).map(\.releaseId) == ["R-3", "R-1"])  // soonest first
        try await ViewDatabase.apply(store, [
            try E.releaseCancelled("R-1", E.reyes, at: E.at(hours: -1)),
            try E.releaseCompleted("R-3", E.lindqvist, at: E.at(hours: -2)),
        ], database)
        #expect(try await blocked(database).isEmpty)
        #expect(try await blocked(database, asOf: E.at(hours: -3)).map(\.releaseId) == ["R-3", "R-1"])
    }

    /// Whichever topic is read first: a release scheduled before the warrant is blocked
    /// once it is issued (matched on the FBI number when the court knows only that); a recall
    /// read before its warrant means the warrant is active only in between; a completion read
    /// before its schedule means the release is pending only in between.
    static func outOfOrderAndMatchedOnEitherNumber(_ database: any StorageDatabase) async throws {
        try await migrated(database, [
            try E.releaseScheduled("R-1", E.reyes, expectedAt: E.at(days: 20), at: E.at(days: -5)),
            try E.warrantRecalled("W-2", E.okafor, on: E.day(-1)),
            try E.releaseCompleted("R-2", E.lindqvist, at: E.at(days: -1)),
        ])
        #expect(try await blocked(database).isEmpty)
        try await ViewDatabase.apply(store, [
            try E.warrantIssued("W-1", E.reyesByFBI, issuedOn: E.day(-3)),
            try E.warrantIssued("W-2", E.okafor, issuedOn: E.day(-5)),
            try E.releaseScheduled("R-2", E.lindqvist, expectedAt: E.at(days: -1), at: E.at(days: -3)),
            try E.warrantIssued("W-3", E.lindqvist, issuedOn: E.day(-10)),
        ], database)
        let blockedNow = try await blocked(database)
        #expect(blockedNow.map(\.releaseId) == ["R-1"])
        #expect(blockedNow.first?.warrantIds == ["W-1"])
        #expect(try await warrants(database).map(\.warrantId) == ["W-3", "W-1"])
        #expect(try await warrants(database, asOf: E.at(days: -2)).map(\.warrantId) == ["W-3", "W-2", "W-1"])
        #expect(try await warrants(database).last?.personKey == "fbi:734591KA2")
        #expect(try await blocked(database, asOf: E.at(days: -2)).map(\.releaseId) == ["R-2", "R-1"])
    }

    /// A release is asked about as it stood then: a schedule made after a cancellation reopens
    /// it from that moment, with the new date. Its numbers merge over its events: scheduled
    /// under the FBI number alone, it is blocked by a warrant known by the state ID once a
    /// change names both, and is then filed under the state ID.
    static func reopenedAndIdentifiedOverItsEvents(_ database: any StorageDatabase) async throws {
        let okaforByFBI = SubjectIdentifiers(fbiNumber: "51234OK7", name: E.okafor.name)
        let okaforBoth = SubjectIdentifiers(stateId: E.okafor.stateId, fbiNumber: "51234OK7")
        try await migrated(database, [
            try E.warrantIssued("W-1", E.reyes, issuedOn: E.day(-20)),
            try E.releaseScheduled("R-1", E.reyes, expectedAt: E.at(days: 20), at: E.at(days: -10)),
            try E.releaseCancelled("R-1", E.reyes, at: E.at(days: -6)),
            try E.releaseScheduled("R-1", E.reyes, expectedAt: E.at(days: 30), at: E.at(days: -2)),
            try E.warrantIssued("W-2", E.okafor, issuedOn: E.day(-20)),
            try E.releaseScheduled("R-2", okaforByFBI, expectedAt: E.at(days: 25), at: E.at(days: -10)),
        ])
        #expect(try await blocked(database, asOf: E.at(days: -8)).map(\.expectedAt) == [E.at(days: 20)])
        #expect(try await blocked(database, asOf: E.at(days: -4)).isEmpty)
        #expect(try await blocked(database).map(\.releaseId) == ["R-1"])
        #expect(try await blocked(database).first?.expectedAt == E.at(days: 30))

        try await ViewDatabase.apply(store, [try E.releaseChanged("R-2", okaforBoth, expectedAt: E.at(days: 26), at: E.at(days: -1))], database)
        let blockedNow = try await blocked(database)
        #expect(blockedNow.map(\.releaseId) == ["R-2", "R-1"])
        #expect(blockedNow.first == BlockedRelease(
            releaseId: "R-2", personKey: "sid:MO7654321", stateId: "MO7654321", fbiNumber: "51234OK7", name: E.okafor.name,
            facility: E.werdcc, expectedAt: E.at(days: 26), warrantIds: ["W-2"]))
    }

    static func everyKindOfEvent() throws -> [AdmittedEvent] {
        [
            try E.warrantIssued("W-1", E.reyes, issuedOn: E.day(-20), charges: [assault]),
            try E.warrantIssued("W-2", E.okafor, issuedOn: E.day(-9)), try E.warrantServed("W-2", E.okafor, at: E.at(days: -1)),
            try E.warrantIssued("W-3", E.lindqvist, issuedOn: E.day(-9)), try E.warrantQuashed("W-3", E.lindqvist, on: E.day(-1)),
            try E.warrantIssued("W-4", E.lindqvist, issuedOn: E.day(-8)), try E.warrantRecalled("W-4", E.lindqvist, on: E.day(-2)),
            try E.releaseScheduled("R-1", E.reyes, expectedAt: E.at(days: 30), at: E.at(days: -8)),
            try E.releaseChanged("R-1", E.reyes, expectedAt: E.at(days: 40), at: E.at(days: -1)),
            try E.releaseScheduled("R-2", E.okafor, expectedAt: E.at(days: 2), at: E.at(days: -8)),
            try E.releaseCancelled("R-2", E.okafor, at: E.at(days: -7)),
            try E.releaseScheduled("R-3", E.lindqvist, expectedAt: E.at(days: 2), at: E.at(days: -8)),
            try E.releaseCompleted("R-3", E.lindqvist, at: E.at(days: -3)),
        ]
    }

    /// Every event applied again, each twice in a row, or all in reverse order (`reversed`,
    /// a second database of the same kind): the same tables and answers.
    static func repeatsAndOrderChangeNothing(_ database: any StorageDatabase, _ reversed: any StorageDatabase) async throws {
        let events = try everyKindOfEvent()
        try await migrated(database, events)
        let tables = try await ViewDatabase.tables(database, prefixes: ["court_", "views_"])
        #expect(tables.count == 4)
        let answers = (try await warrants(database), try await blocked(database))
        #expect(answers.0.map(\.warrantId) == ["W-1"])
        #expect(answers.1.map(\.releaseId) == ["R-1"])
        #expect(answers.1.first?.expectedAt == E.at(days: 40))

        try await ViewDatabase.apply(store, events + events.flatMap { [$0, $0] }, database)
        #expect(try await ViewDatabase.tables(database, prefixes: ["court_", "views_"]) == tables)

        try await migrated(reversed, events.reversed())
        #expect(try await ViewDatabase.tables(reversed, prefixes: ["court_", "views_"]) == tables)
        #expect(try await warrants(reversed) == answers.0)
        #expect(try await blocked(reversed) == answers.1)
    }

    /// A warrant or release event without a state ID or FBI number is a poison message and
    /// leaves every table as it was.
    static func poisonEventsLeaveTheTablesUnchanged(_ database: any StorageDatabase) async throws {
        try await migrated(database, try everyKindOfEvent())
        let before = try await ViewDatabase.tables(database, prefixes: ["court_", "views_"])
        #expect(before.values.allSatisfy { !$0.isEmpty })
        let poisons: [AdmittedEvent] = [
            try E.warrantIssued("W-9", E.docOnly, issuedOn: E.day(0)), try E.warrantIssued("W-9", nil, issuedOn: E.day(0)),
            try E.warrantServed("W-1", E.docOnly, at: E.now), try E.warrantRecalled("W-1", E.docOnly, on: E.day(0)),
            try E.warrantQuashed("W-1", E.docOnly, on: E.day(0)),
            try E.releaseScheduled("R-9", E.docOnly, expectedAt: E.at(days: 1), at: E.now),
            try E.releaseChanged("R-1", E.docOnly, expectedAt: E.at(days: 1), at: E.now),
            try E.releaseCancelled("R-1", E.docOnly, at: E.now), try E.releaseCompleted("R-1", E.docOnly, at: E.now),
        ]
        for poison in poisons {
            #expect(try await ViewDatabase.poisonReason(store, poison, database) == CaseloadScenarios.missingIdentifiers, "\(poison.eventType)")
        }
        #expect(try await ViewDatabase.tables(database, prefixes: ["court_", "views_"]) == before)
    }
}
