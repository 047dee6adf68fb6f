import Storage
import Testing
import TestSupport

/// The safety-check scenarios (`SafetyScenarios`) on an in-memory SQLite database each.
@Suite struct SafetySQLiteTests {
    typealias S = SafetyScenarios
    static func fresh() throws -> any StorageDatabase { try ReleaseViewDatabases.sqlite() }

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
    @Test func residentsAndNamesUnderEitherNumber() async throws { try await S.residentsAndNamesUnderEitherNumber(Self.fresh()) }
    @Test func rowsKeptBeforeTheNumbersStep() async throws { try await S.rowsKeptBeforeTheNumbersStep(Self.fresh()) }
    @Test func applyingEveryEventTwiceChangesNothing() async throws { try await S.applyingEveryEventTwiceChangesNothing(Self.fresh()) }
    @Test func aPersonsRowsGoByTheirKey() async throws { try await S.aPersonsRowsGoByTheirKey(Self.fresh()) }
    @Test func poisonEventsWriteNothing() async throws { try await S.poisonEventsWriteNothing(Self.fresh()) }
    @Test func badQuestionsNameTheirField() async throws { try await S.badQuestionsNameTheirField(Self.fresh()) }
    @Test func unreadableRowsNameTheirColumn() async throws { try await S.unreadableRowsNameTheirColumn(Self.fresh()) }
}

/// The safety-check scenarios on PostgreSQL 15, in a private cluster started for the suite (one
/// database per scenario); skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct SafetyPostgresTests {
    typealias S = SafetyScenarios

    @Test(arguments: AddressVariants.all)
    func addressVariantsFindTheSameResidents(_ variants: AddressVariants) async throws {
        try await onFreshPostgres { try await S.addressVariantsFindTheSameResidents($0, variants) }
    }
    @Test func residentsAreTheRegisteredPeopleWithTheirHousehold() async throws {
        try await onFreshPostgres(S.residentsAreTheRegisteredPeopleWithTheirHousehold)
    }
    @Test func incidentsWithinTheRadiusInTheLast30Days() async throws { try await onFreshPostgres(S.incidentsWithinTheRadiusInTheLast30Days) }
    @Test func coordinatesComeFromEventsAtTheSameAddress() async throws { try await onFreshPostgres(S.coordinatesComeFromEventsAtTheSameAddress) }
    @Test func investigationAreasThatContainTheAddress() async throws { try await onFreshPostgres(S.investigationAreasThatContainTheAddress) }
    @Test func closedInvestigationsNeverShow() async throws { try await onFreshPostgres(S.closedInvestigationsNeverShow) }
    @Test func investigationUpdatesFoldInAnyOrder() async throws {
        try await onFreshPostgres { first in try await onFreshPostgres { second in try await S.investigationUpdatesFoldInAnyOrder(first, second) } }
    }
    @Test func incidentBeforeTheCaseAddress() async throws {
        try await onFreshPostgres { first in try await onFreshPostgres { second in try await S.incidentBeforeTheCaseAddress(first, second) } }
    }
    @Test func namesThatAreSomeoneElse() async throws { try await onFreshPostgres(S.namesThatAreSomeoneElse) }
    @Test func residentsAndNamesUnderEitherNumber() async throws { try await onFreshPostgres(S.residentsAndNamesUnderEitherNumber) }
    @Test func rowsKeptBeforeTheNumbersStep() async throws { try await onFreshPostgres(S.rowsKeptBeforeTheNumbersStep) }
    @Test func applyingEveryEventTwiceChangesNothing() async throws { try await onFreshPostgres(S.applyingEveryEventTwiceChangesNothing) }
    @Test func aPersonsRowsGoByTheirKey() async throws { try await onFreshPostgres(S.aPersonsRowsGoByTheirKey) }
    @Test func poisonEventsWriteNothing() async throws { try await onFreshPostgres(S.poisonEventsWriteNothing) }
    @Test func badQuestionsNameTheirField() async throws { try await onFreshPostgres(S.badQuestionsNameTheirField) }
    @Test func unreadableRowsNameTheirColumn() async throws { try await onFreshPostgres(S.unreadableRowsNameTheirColumn) }
}
