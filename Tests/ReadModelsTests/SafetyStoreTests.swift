import Logging
import Storage
import Testing
import TestSupport

/// The safety-check scenarios (`SafetyScenarios`) on an in-memory SQLite database each.
@Suite struct SafetySQLiteTests {
    typealias S = SafetyScenarios
    static func fresh() throws -> any StorageDatabase { try SQLiteStorage.inMemory() }

    @Test(arguments: AddressVariants.all)
    func addressVariantsFindTheSameResidents(_ variants: AddressVariants) async throws {
        try await S.addressVariantsFindTheSameResidents(Self.fresh(), variants)
    }
    @Test func residentsAreTheRegisteredPeopleWithTheirHousehold() async throws {
        try await S.residentsAreTheRegisteredPeopleWithTheirHousehold(Self.fresh())
    }
    @Test func incidentsWithinTheRadiusInTheLast30Days() async throws { try await S.incidentsWithinTheRadiusInTheLast30Days(Self.fresh()) }
    @Test func coordinatesComeFromEventsAtTheSameAddress() async throws { try await S.coordinatesComeFromEventsAtTheSameAddress(Self.fresh()) }
    @Test func investigationAreasThatContainTheAddress() async throws { try await S.investigationAreasThatContainTheAddress(Self.fresh()) }
    @Test func closedInvestigationsNeverShow() async throws { try await S.closedInvestigationsNeverShow(Self.fresh()) }
    @Test func investigationUpdatesFoldInAnyOrder() async throws { try await S.investigationUpdatesFoldInAnyOrder(Self.fresh(), Self.fresh()) }
    @Test func incidentBeforeTheCaseAddress() async throws { try await S.incidentBeforeTheCaseAddress(Self.fresh(), Self.fresh()) }
    @Test func namesThatAreSomeoneElse() async throws { try await S.namesThatAreSomeoneElse(Self.fresh()) }
    @Test func applyingEveryEventTwiceChangesNothing() async throws { try await S.applyingEveryEventTwiceChangesNothing(Self.fresh()) }
    @Test func aPersonsRowsGoByTheirKey() async throws { try await S.aPersonsRowsGoByTheirKey(Self.fresh()) }
    @Test func poisonEventsWriteNothing() async throws { try await S.poisonEventsWriteNothing(Self.fresh()) }
    @Test func badQuestionsNameTheirField() async throws { try await S.badQuestionsNameTheirField(Self.fresh()) }
}

/// The safety-check scenarios on PostgreSQL 15, in a private cluster started for the suite (one
/// database per scenario); skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct SafetyPostgresTests {
    typealias S = SafetyScenarios

    @Test(arguments: AddressVariants.all)
    func addressVariantsFindTheSameResidents(_ variants: AddressVariants) async throws {
        try await Self.onFresh { try await S.addressVariantsFindTheSameResidents($0, variants) }
    }
    @Test func residentsAreTheRegisteredPeopleWithTheirHousehold() async throws {
        try await Self.onFresh(S.residentsAreTheRegisteredPeopleWithTheirHousehold)
    }
    @Test func incidentsWithinTheRadiusInTheLast30Days() async throws { try await Self.onFresh(S.incidentsWithinTheRadiusInTheLast30Days) }
    @Test func coordinatesComeFromEventsAtTheSameAddress() async throws { try await Self.onFresh(S.coordinatesComeFromEventsAtTheSameAddress) }
    @Test func investigationAreasThatContainTheAddress() async throws { try await Self.onFresh(S.investigationAreasThatContainTheAddress) }
    @Test func closedInvestigationsNeverShow() async throws { try await Self.onFresh(S.closedInvestigationsNeverShow) }
    @Test func investigationUpdatesFoldInAnyOrder() async throws {
        try await Self.onFresh { first in try await Self.onFresh { second in try await S.investigationUpdatesFoldInAnyOrder(first, second) } }
    }
    @Test func incidentBeforeTheCaseAddress() async throws {
        try await Self.onFresh { first in try await Self.onFresh { second in try await S.incidentBeforeTheCaseAddress(first, second) } }
    }
    @Test func namesThatAreSomeoneElse() async throws { try await Self.onFresh(S.namesThatAreSomeoneElse) }
    @Test func applyingEveryEventTwiceChangesNothing() async throws { try await Self.onFresh(S.applyingEveryEventTwiceChangesNothing) }
    @Test func aPersonsRowsGoByTheirKey() async throws { try await Self.onFresh(S.aPersonsRowsGoByTheirKey) }
    @Test func poisonEventsWriteNothing() async throws { try await Self.onFresh(S.poisonEventsWriteNothing) }
    @Test func badQuestionsNameTheirField() async throws { try await Self.onFresh(S.badQuestionsNameTheirField) }

    /// Runs `scenario` on a fresh database of the suite's cluster and closes it after.
    static func onFresh(_ scenario: (any StorageDatabase) async throws -> Void) async throws {
        let cluster = try #require(PostgresCluster.current)
        let name = try await cluster.createDatabase()
        var logger = Logger(label: "safety-check-tests")
        logger.logLevel = .warning
        let database = PostgresStorage(configuration: try .init(url: cluster.url(database: name)), logger: logger)
        do {
            try await scenario(database)
            try await database.close()
        } catch {
            try await database.close()
            throw error
        }
    }
}
