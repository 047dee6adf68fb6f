import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import LocalPostgres
import Logging
import Storage
import TestSupport
import Testing

/// The gateway's SQL on PostgreSQL: remembered outcomes (a retry sends nothing, a reused id is
/// refused) and the inbox's pages after a cursor.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct PostgresTests {
    @Test("ingest outcomes and inbox pages on PostgreSQL")
    func onPostgres() async throws {
        try await onFreshPostgres { storage in
            let postgres = try #require(storage as? PostgresStorage)
            let logger = Logger(label: "gateway-postgres-tests")
            let gatewaySchema = PostgresStorage(configuration: try postgres.configuration.inSchema("gateway"), logger: logger)
            let inboxSchema = PostgresStorage(configuration: try postgres.configuration.inSchema("inbox"), logger: logger)
            do {
                try await Self.check(GatewayHarness(postgres: (gatewaySchema, inboxSchema)))
                try await gatewaySchema.close()
                try await inboxSchema.close()
            } catch {
                try await gatewaySchema.close()
                try await inboxSchema.close()
                throw error
            }
        }
    }

    static func check(_ harness: GatewayHarness) async throws {
        do {
            let token = try await harness.issuer.token(agency: "MO-KCPD", roles: ["integrator"])
            let id = UUID()
            let notifications = (1...3).map { notification(to: .officer("PP-KC-118"), agency: "MO-DOC-PP", minute: $0) }
            try await harness.store(notifications)
            let officer = try await harness.issuer.token()
            try await harness.test { client in
                let first = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(bytes: try arrestEvent(id: id)))
                let retry = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(bytes: try arrestEvent(id: id)))
                #expect(first.status == .accepted)
                #expect(String(buffer: retry.body) == String(buffer: first.body))
                let reused = try await client.execute(
                    uri: "/v1/events", method: .post, headers: .bearer(token),
                    body: ByteBuffer(bytes: try arrestEvent(id: id) { $0["recordedAt"] = "2025-03-03T14:00:09Z" }))
                #expect(reused.status == .conflict)

                let page1 = try json(try await client.execute(uri: "/v1/inbox?limit=2", method: .get, headers: .bearer(officer, contentType: nil)).body)
                let cursor = try #require(page1["nextCursor"] as? String)
                let page2 = try json(try await client.execute(uri: "/v1/inbox?limit=2&cursor=\(cursor)", method: .get, headers: .bearer(officer, contentType: nil)).body)
                let ids = [page1, page2].flatMap { ($0["items"] as? [[String: Any]] ?? []).compactMap { ($0["notification"] as? [String: Any])?["id"] as? String } }
                #expect(ids == notifications.map(\.id))
                #expect(page2["nextCursor"] is NSNull)
            }
            #expect(harness.sink.sent.count == 1)
        }
    }
}
