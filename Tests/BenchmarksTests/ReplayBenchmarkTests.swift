import Benchmarks
import Contracts
import Storage
import Synchronization
import Testing
import TestSupport

/// `bench replay`'s machinery on a tiny workload: the generated events are ones the views
/// service accepts — every one applied, none dead-lettered, duplicated or skipped as a type it
/// does not need — and the run prints its ratio line. Not its timing.
enum ReplayBenchmarkChecks {
    static let events = 2_000

    /// The event types the views consume that the workload must cover.
    static let coveredTypes: [String] = [
        CaseStarted.eventType, OfficerAssigned.eventType, ConditionsSet.eventType, AddressChanged.eventType, CaseEnded.eventType,
        AssessmentCompleted.eventType, ArrestMade.eventType, BookingRecorded.eventType, ContactRecorded.eventType,
        ViolentIncidentReported.eventType, InvestigationOpened.eventType, InvestigationUpdated.eventType, InvestigationClosed.eventType,
        WarrantIssued.eventType, WarrantServed.eventType, WarrantRecalled.eventType, DetainerLodged.eventType, DetainerLifted.eventType,
        ReleaseScheduled.eventType, ReleaseChanged.eventType, ReleaseCompleted.eventType,
        MentalHealthBulletinPublished.eventType, MentalHealthBulletinWithdrawn.eventType, AgencyDescribed.eventType,
    ]

    /// Where a service's batches spent their time, printed as `<name>.stage.<stage>` in µs a
    /// message: every stage, the rules and statements some time each, and the stages adding up
    /// to the transaction (within the figures' rounding).
    static func expectStages(in printed: [String], of name: String) throws {
        func value(_ figure: String) throws -> Double {
            let line = try #require(printed.first { $0.hasPrefix("\(name).stage.\(figure) ") }, "no \(name).stage.\(figure) in \(printed)")
            return try #require(Double(line.split(separator: " ")[1]), "\(line)")
        }
        let stages = ["preparing", "admitting", "recording_ids", "applying_rules", "applying_statements", "finishing", "beginning_and_committing"]
        let values = try stages.map(value)
        #expect(values.allSatisfy { $0 >= 0 }, "\(zip(stages, values).map { $0 })")
        #expect(try value("applying_rules") > 0 && value("applying_statements") > 0)
        let transaction = try value("transaction")
        // Figures of 100 and above are printed whole: each may be off by half a microsecond.
        #expect(abs(values.reduce(0, +) - transaction) <= 0.5 * Double(stages.count + 1) + 0.01, "\(zip(stages, values).map { $0 }) vs \(transaction)")
        #expect(try value("statements") <= transaction)
    }

    static func run(_ benchmark: ReplayBenchmark, database: ReplayBenchmark.Database) async throws {
        let lines = Mutex<[String]>([])
        let report = try await benchmark.run { line in lines.withLock { $0.append(line) } }
        let result = try #require(report.results.first { $0.database == database })
        #expect(report.workload.values.reduce(0, +) == events)
        for type in coveredTypes { #expect(report.workload[type, default: 0] > 0, "the workload has no \(type)") }
        #expect(result.applied == events)
        #expect(result.deadLettered == 0)
        #expect(result.duplicates == 0)
        #expect(result.skipped == 0)
        #expect(result.rawRows == events)
        let printed = lines.withLock { $0 }
        let ratio = try #require(printed.first { $0.hasPrefix("ratio replay.\(database.rawValue) ") }, "no ratio line in \(printed)")
        #expect(Double(ratio.split(separator: " ").last ?? "").map { $0 > 0 } == true, "\(ratio)")
        #expect(printed.contains { $0.hasPrefix("replay.\(database.rawValue).raw_upsert ") })
        try expectStages(in: printed, of: "replay.\(database.rawValue)")
        // Each agency's question timed on the rebuilt views, each finding rows (the seeded
        // workload has some for each; a timing of an empty answer would show nothing).
        for question in ["police_view", "caseload_officer", "release_board", "high_needs", "court_warrants", "court_blocked_releases", "safety_check"] {
            let name = "replay.\(database.rawValue).query.\(question)"
            #expect(printed.contains { $0.hasPrefix("\(name) ") && $0.hasSuffix(" ms") }, "no \(name) in \(printed)")
            let rows = printed.first { $0.hasPrefix("\(name).rows ") }.flatMap { Double($0.split(separator: " ")[1]) }
            #expect((rows ?? 0) > 0, "\(name) found no rows")
        }
    }
}

@Suite struct ReplayBenchmarkTests {
    @Test func everyEventIsAppliedOnSQLiteAndTheRatioPrinted() async throws {
        let benchmark = ReplayBenchmark(events: ReplayBenchmarkChecks.events, databases: [.sqlite], catalog: try TopicCatalog.embedded())
        try await ReplayBenchmarkChecks.run(benchmark, database: .sqlite)
    }
}

/// The same on PostgreSQL, in a database of the suite's private cluster; skipped, saying why,
/// where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct ReplayBenchmarkOnPostgresTests {
    @Test func everyEventIsAppliedOnPostgresAndTheRatioPrinted() async throws {
        let cluster = try #require(PostgresCluster.current)
        let name = try await cluster.createDatabase("bench")
        let benchmark = ReplayBenchmark(
            events: ReplayBenchmarkChecks.events, databases: [.postgres], catalog: try TopicCatalog.embedded(),
            postgres: .database(try PostgresStorage.Configuration(url: cluster.url(database: name))))
        try await ReplayBenchmarkChecks.run(benchmark, database: .postgres)
    }
}
