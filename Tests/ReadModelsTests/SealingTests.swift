import Testing
import TestSupport

/// The sealing scenarios (`SealingScenarios`) on a SQLite service database each.
@Suite struct SealingSQLiteTests {
    typealias S = SealingScenarios

    @Test(arguments: S.storeNames, OrderNaming.allCases)
    func allRecordsRemoveEveryRowOfThePerson(_ store: String, _ naming: OrderNaming) async throws {
        try await S.allRecordsRemoveEveryRowOfThePerson(store, naming)
    }
    @Test(arguments: S.storeNames)
    func listedCasesRemoveOnlyThoseCases(_ store: String) async throws { try await S.listedCasesRemoveOnlyThoseCases(store) }
    @Test(arguments: S.storesKeepingDetainers)
    func aLateDetainerRestingOnASealedWarrantIsNotKept(_ store: String) async throws { try await S.aLateDetainerRestingOnASealedWarrantIsNotKept(store) }
    @Test(arguments: S.storesKeepingDetainers)
    func aDetainerOnAnotherPersonsWarrantOfTheSameIdIsKept(_ store: String) async throws {
        try await S.aDetainerOnAnotherPersonsWarrantOfTheSameIdIsKept(store)
    }
    @Test func aRefusalByStoresSharingTheLedgerIsCountedOnce() async throws {
        try await S.aDetainerOnAnotherPersonsWarrantOfTheSameIdIsKept(stores: S.storesKeepingDetainers)
    }
    @Test(arguments: S.storesKeepingPayloadPeople)
    func peopleNamedInPayloadsAfterTheOrder(_ store: String) async throws { try await S.peopleNamedInPayloadsAfterTheOrder(store) }
    @Test func everyQueryShowsNothingAboutThePersonAfterward() async throws { try await S.everyQueryShowsNothingAboutThePersonAfterward() }
    @Test func aSuperviseeKnownByTheFBINumberAlone() async throws { try await S.aSuperviseeKnownByTheFBINumberAloneIsInEveryViewUntilTheOrder() }
    @Test func numbersPairedByIncidentsAndInvestigationsAlone() async throws { try await S.numbersPairedByIncidentsAndInvestigationsAlone() }
    @Test(arguments: S.PairingRecord.allCases)
    func aNumberOnlyASharedLedgerPairsReachesEveryView(_ record: S.PairingRecord) async throws {
        try await S.aNumberOnlyASharedLedgerPairsReachesEveryViewSealingAfterTheFirst(record)
    }
}

/// The sealing scenarios on PostgreSQL 15, in a private cluster started for the suite (a fresh
/// database per test); skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct SealingPostgresTests {
    typealias S = SealingScenarios

    @Test(arguments: S.storeNames, OrderNaming.allCases)
    func allRecordsRemoveEveryRowOfThePerson(_ store: String, _ naming: OrderNaming) async throws {
        try await S.allRecordsRemoveEveryRowOfThePerson(store, naming)
    }
    @Test(arguments: S.storeNames)
    func listedCasesRemoveOnlyThoseCases(_ store: String) async throws { try await S.listedCasesRemoveOnlyThoseCases(store) }
    @Test(arguments: S.storesKeepingDetainers)
    func aLateDetainerRestingOnASealedWarrantIsNotKept(_ store: String) async throws { try await S.aLateDetainerRestingOnASealedWarrantIsNotKept(store) }
    @Test(arguments: S.storesKeepingDetainers)
    func aDetainerOnAnotherPersonsWarrantOfTheSameIdIsKept(_ store: String) async throws {
        try await S.aDetainerOnAnotherPersonsWarrantOfTheSameIdIsKept(store)
    }
    @Test func aRefusalByStoresSharingTheLedgerIsCountedOnce() async throws {
        try await S.aDetainerOnAnotherPersonsWarrantOfTheSameIdIsKept(stores: S.storesKeepingDetainers)
    }
    @Test(arguments: S.storesKeepingPayloadPeople)
    func peopleNamedInPayloadsAfterTheOrder(_ store: String) async throws { try await S.peopleNamedInPayloadsAfterTheOrder(store) }
    @Test func everyQueryShowsNothingAboutThePersonAfterward() async throws { try await S.everyQueryShowsNothingAboutThePersonAfterward() }
    @Test func aSuperviseeKnownByTheFBINumberAlone() async throws { try await S.aSuperviseeKnownByTheFBINumberAloneIsInEveryViewUntilTheOrder() }
    @Test func numbersPairedByIncidentsAndInvestigationsAlone() async throws { try await S.numbersPairedByIncidentsAndInvestigationsAlone() }
    @Test(arguments: S.PairingRecord.allCases)
    func aNumberOnlyASharedLedgerPairsReachesEveryView(_ record: S.PairingRecord) async throws {
        try await S.aNumberOnlyASharedLedgerPairsReachesEveryViewSealingAfterTheFirst(record)
    }
}
