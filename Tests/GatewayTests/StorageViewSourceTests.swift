import Contracts
import Directory
import Foundation
import Gateway
import HummingbirdTesting
import LocalPostgres
import Logging
import ReadModels
import Storage
import TestSupport
import Testing
import Warrants

/// The real source over freshly migrated SQLite databases of the `views` and `warrant-resolver`
/// services: every view's query runs (the read models' own SQL), through the gateway.
@Suite struct StorageViewSourceTests {
    /// Migrates both databases as their services do, and describes a police agency.
    static func source(views: any StorageDatabase, warrants: any StorageDatabase) async throws -> StorageViewSource {
        _ = try await views.write { try StorageMigrator.migrate(ViewsProjection().migrations, in: $0) }
        try await views.write { transaction in
            try DirectoryStore(transaction).describe(AgencyDescribed(
                agencyId: "MO-KCPD", kind: .police, name: "KCPD", jurisdiction: AgencyJurisdiction(state: "MO", places: ["Kansas City"])))
        }
        _ = try await warrants.write { try StorageMigrator.migrate(WarrantStore.migrations, in: $0) }
        return StorageViewSource(views: { views }, warrants: { warrants })
    }

    @Test("every view's query runs on the services' SQLite schemas; an empty read model is an empty page and no audit entry")
    func everyQueryRuns() async throws {
        try await Self.check(Self.source(views: SQLiteStorage.inMemory(), warrants: SQLiteStorage.inMemory()))
    }

    static func check(_ source: StorageViewSource) async throws {
        let queries: [ViewQuery] = [
            .caseload(agencyId: "MO-DOC-PP", officerId: nil), .caseload(agencyId: "MO-DOC-PP", officerId: "PP-KC-118"),
            .policeReleases(agencyId: "MO-KCPD", withinDays: 60), .policeWarrants(agencyId: "MO-KCPD"),
            .policeSupervisees(agencyId: "MO-KCPD"), .policeBulletins(agencyId: "MO-KCPD"), .policeWarrants(agencyId: "MO-UNKNOWN"),
            .releaseBoard(facilityId: "MO-DOC-WERDCC", withinDays: 60), .warrantChecks(agencyId: "MO-CIRCUIT16"), .highNeeds(agencyId: "MO-KC-REENTRY", withinDays: 60),
            .courtWarrants(courtId: "MO-CIRCUIT16"), .courtBlockedReleases(courtId: "MO-CIRCUIT16"),
        ]
        for query in queries {
            #expect(try await source.rows(query, asOf: Date()).isEmpty, "\(query)")
        }
        let safety = try await source.rows(.safetyCheck(address: "4410 Troost Ave, Kansas City, MO 64110", coordinates: nil, radiusMeters: 500), asOf: Date())
        #expect(safety.count == 1, "a safety check always answers")
        await #expect(throws: ViewQueryError.self) {
            _ = try await source.rows(.safetyCheck(address: "", coordinates: nil, radiusMeters: 500), asOf: Date())
        }

        let harness = try await GatewayHarness(views: GatewayViews(source: source, policy: viewPolicy))
        var claims = TestIssuer.Claims()
        claims.agency = "MO-KCPD"
        claims.agencyKind = "police"
        claims.purpose = "officer_safety"
        let token = try await harness.issuer.token(claims)
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/views/police/releases", method: .get, headers: .bearer(token, contentType: nil))
            #expect(response.status == .ok)
            #expect((try json(response.body)["items"] as? [Any])?.isEmpty == true)
        }
        #expect(try await harness.ledger.entries().isEmpty)
    }
}

/// The twin on PostgreSQL.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct StorageViewSourcePostgresTests {
    @Test("every view's query runs on PostgreSQL (the schemas views and warrant_resolver)")
    func everyQueryRunsOnPostgres() async throws {
        try await onFreshPostgres { storage in
            let postgres = try #require(storage as? PostgresStorage)
            let logger = Logger(label: "gateway-postgres-tests")
            let views = PostgresStorage(configuration: try postgres.configuration.inSchema("views"), logger: logger)
            let warrants = PostgresStorage(configuration: try postgres.configuration.inSchema("warrant_resolver"), logger: logger)
            do {
                try await StorageViewSourceTests.check(StorageViewSourceTests.source(views: views, warrants: warrants))
                try await views.close()
                try await warrants.close()
            } catch {
                try await views.close()
                try await warrants.close()
                throw error
            }
        }
    }
}
