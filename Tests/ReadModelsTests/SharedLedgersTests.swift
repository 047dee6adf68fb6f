import Contracts
import ServiceKit
import Storage
import Testing
import TestSupport

@testable import ReadModels
@testable import ServiceKit

/// The views keep releases, warrants and detainers in ledgers they share (``ReleaseLedger/views``,
/// ``WarrantLedger/views``) instead of one per view. A database written before keeps what each
/// view had: the steps every view adds move it into the shared tables (each moved release
/// folded again from all its events there, each record kept as applying its events would) and
/// drop the view's own tables; what a recorded sealing order covers is not moved.
enum SharedLedgersScenario {
    typealias E = ReleaseTestEvents

    /// The steps added when the views began to share the ledgers.
    static let added: Set<String> = [
        "views-releases-v1", "caseload-v2", "court-v2", "police-v4", "releases-v3", "reentry-v3",
        "views-warrants-v1", "caseload-v3", "court-v3", "police-v5", "releases-v4",
    ]
    /// Every step of the views' service database, and those of before the shared ledgers.
    static let all = ServiceDatabase.runtimeMigrations + ViewsProjection(stores: ReadModelCatalog.all).migrations
    static let before = all.filter { !added.contains($0.id) }

    /// The views that kept releases under their own prefix.
    static let prefixes = ["caseload", "court", "police", "releases", "reentry"]

    static func movesTheReleasesEachViewKept(on database: any StorageDatabase) async throws {
        let kept = E.person("MO1110001"), sealed = E.person("MO2220002", family: "Okafor")
        let schedule = try E.scheduled("R-KEPT", kept, expectedAt: E.later(days: 20))
        let change = try E.changed("R-KEPT", kept, expectedAt: E.later(days: 40))
        let sealedSchedule = try E.scheduled("R-SEALED", sealed, expectedAt: E.later(days: 30))
        let order = try #require(try SealingOrder(SealingEvents.order(.sealed, .allRecords, subject: sealed)))
        try await database.write { transaction in
            try StorageMigrator.migrate(before, in: transaction)
            for prefix in prefixes {
                let own = ReleaseLedger(prefix: prefix)
                try own.apply(schedule, in: transaction)
                // The police view had not read the change yet: the views' tables differ.
                if prefix != "police" { try own.apply(change, in: transaction) }
            }
            // The court's view kept a release the other views had sealed (an order it paired
            // fewer numbers for): the order is recorded, so the release must not come back.
            try ReleaseLedger(prefix: "court").apply(sealedSchedule, in: transaction)
            try SealingLedger(transaction).record(order, removed: SealingTally())
        }

        let applied = try await database.write { try StorageMigrator.migrate(all, in: $0) }
        #expect(Set(applied) == added)
        let (stored, events, leftOver) = try await database.write { transaction in
            (
                try ReleaseLedgerWriteScenario.stored(.views, transaction),
                try transaction.fetchAll("SELECT event_id, release_id FROM views_release_events ORDER BY event_id").map { try $0.get("release_id", as: String.self) },
                try prefixes.flatMap { ReleaseLedger(prefix: $0).tables }.filter { try tableExists($0, transaction) }
            )
        }
        #expect(stored == (try FoldedRelease("R-KEPT", ReleaseFold([ReleaseEvent(schedule), ReleaseEvent(change)])).rows))
        #expect(stored.count == 2)
        #expect(events == ["R-KEPT", "R-KEPT"])
        #expect(leftOver.isEmpty, "the views' own release tables are dropped")
    }

    /// Caseload and release board kept warrants and detainers, the court and police views
    /// warrants only; the release board had read a recall the others had not; the court kept a
    /// warrant of a person an order recorded since covers (and its resolution).
    static func movesTheWarrantsEachViewKept(on database: any StorageDatabase) async throws {
        let kept = E.person("MO1110001"), sealed = E.person("MO2220002", family: "Okafor")
        let issued = try E.warrantIssued("W-KEPT", kept)
        let lodged = try E.detainerLodged("D-KEPT", kept)
        let recalled = try E.warrantRecalled("W-KEPT", kept, on: "2026-02-03")
        let order = try #require(try SealingOrder(SealingEvents.order(.sealed, .allRecords, subject: sealed)))
        let own = [
            "caseload": (WarrantLedger(prefix: "caseload", keepsDetainers: true), [issued, lodged]),
            "releases": (WarrantLedger(prefix: "releases", keepsDetainers: true), [issued, lodged, recalled]),
            "court": (WarrantLedger(prefix: "court", keepsDetainers: false), [issued, try E.warrantIssued("W-SEALED", sealed), try E.warrantServed("W-SEALED", sealed, at: E.instant("2026-02-02T10:00:00Z"))]),
            "police": (WarrantLedger(prefix: "police", keepsDetainers: false), [issued]),
        ]
        // What applying every event once gives, in a ledger of its own beside them.
        let expected = WarrantLedger(prefix: "expected", keepsDetainers: true)
        try await database.write { transaction in
            try StorageMigrator.migrate(before, in: transaction)
            for (ledger, events) in own.values {
                for event in events { try ledger.apply(event, in: transaction) }
            }
            try transaction.executeScript(expected.schema)
            for event in [issued, lodged, recalled] { try expected.apply(event, in: transaction) }
            try SealingLedger(transaction).record(order, removed: SealingTally())
        }

        let applied = try await database.write { try StorageMigrator.migrate(all, in: $0) }
        #expect(Set(applied) == added)
        try await database.write { transaction in
            func rows(_ ledger: WarrantLedger) throws -> [[[SQLValue]]] {
                [
                    try transaction.fetchAll("SELECT \(WarrantLedger.recordColumns) FROM \(ledger.recordsTable) ORDER BY record_type, record_id").map(\.values),
                    try transaction.fetchAll("SELECT \(WarrantLedger.resolutionColumns) FROM \(ledger.resolutionsTable) ORDER BY record_type, record_id").map(\.values),
                ]
            }
            let shared = try rows(.views)
            #expect(shared == (try rows(expected)))
            #expect(shared[0].count == 2 && shared[1].count == 1, "W-KEPT and D-KEPT, the recall")
            let leftOver = try own.values.flatMap { $0.0.tables }.filter { try tableExists($0, transaction) }
            #expect(leftOver.isEmpty, "the views' own warrant tables are dropped")
        }
    }

    static func tableExists(_ name: String, _ transaction: any StorageTransaction) throws -> Bool {
        let query = switch transaction.dialect {
        case .sqlite: "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = $1"
        case .postgres: "SELECT 1 AS found FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1"
        }
        return try transaction.fetchOne(query, [.text(name)]) != nil
    }
}

@Suite struct SharedLedgersTests {
    typealias E = ReleaseTestEvents

    @Test func theReleasesOfTheViewsOwnLedgersMoveIntoTheSharedOne() async throws {
        try await SharedLedgersScenario.movesTheReleasesEachViewKept(on: SQLiteStorage.inMemory())
    }

    @Test func theWarrantsOfTheViewsOwnLedgersMoveIntoTheSharedOne() async throws {
        try await SharedLedgersScenario.movesTheWarrantsEachViewKept(on: SQLiteStorage.inMemory())
    }

    /// The views after the first are handed an event the shared ledger already kept, and skip
    /// it because the transaction remembers writing it; an event whose savepoint was rolled
    /// back was not written, whatever the transaction remembers, and is kept when applied again.
    @Test func anEventRolledBackWithItsSavepointIsKeptWhenAppliedAgain() async throws {
        struct Refused: Error {}
        let schedule = try E.scheduled("R-1", E.person("MO1234567"), expectedAt: E.later(days: 20))
        let storage = try SQLiteStorage.inMemory()
        let counts = try await storage.write { transaction in
            try StorageMigrator.migrate([ReleaseLedger.sharedStep], in: transaction)
            _ = try? transaction.savepoint { () throws -> Void in
                try ReleaseLedger.views.apply(schedule, in: transaction)
                try ReleaseLedger.views.apply(schedule, in: transaction)
                throw Refused()
            }
            try ReleaseLedger.views.apply(schedule, in: transaction)
            return try ["views_release_events", "views_releases"].map { table in
                try transaction.fetchAll("SELECT release_id FROM \(table)").count
            }
        }
        #expect(counts == [1, 1])
    }
}

/// The same on PostgreSQL 15.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct SharedLedgersOnPostgresTests {
    @Test func theReleasesOfTheViewsOwnLedgersMoveIntoTheSharedOne() async throws {
        try await onFreshPostgres { try await SharedLedgersScenario.movesTheReleasesEachViewKept(on: $0) }
    }

    @Test func theWarrantsOfTheViewsOwnLedgersMoveIntoTheSharedOne() async throws {
        try await onFreshPostgres { try await SharedLedgersScenario.movesTheWarrantsEachViewKept(on: $0) }
    }
}
