import Foundation
@testable import Gateway
import Hummingbird
import HummingbirdTesting
import LocalPostgres
import Logging
import Notifications
import Storage
import TestSupport
import Testing

/// The gateway's SQL on PostgreSQL: remembered outcomes (a retry sends nothing, a reused id is
/// refused), the inbox's pages after a cursor, and the webhooks' endpoints, owed deliveries and
/// dead letters.
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
            let token = try await harness.issuer.token(agency: "MO-KCPD", roles: ["integrator"], agencyKind: "police")
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
            try await checkWebhooks(harness, notifications: notifications)
        }
    }

    static func checkWebhooks(_ harness: GatewayHarness, notifications: [BusNotification]) async throws {
        let registrant = Caller(subject: "PP-KC-118", agencyId: "MO-DOC-PP", roles: [.officer, .integrator], purpose: .supervision)
        let endpoint = WebhookEndpoint(
            agencyId: "MO-DOC-PP", url: try #require(URL(string: "https://cms.example.org/hook")), rules: ["supervisee-arrested"], registrant: registrant)
        let database = harness.gateway.database
        try await database.write { try WebhookStore.add(endpoint, cursor: nil, $0) }
        let stored = try #require(try await database.read { try WebhookStore.endpoint(endpoint.id, $0) })
        #expect(stored.endpoint.registrant == registrant && stored.endpoint.secret == endpoint.secret && stored.endpoint.rules == endpoint.rules)
        #expect(stored.cursor == nil)

        let requester = try await harness.gateway.requester(for: registrant)
        let dispatcher = WebhookDispatcher(gateway: harness.gateway, logger: Logger(label: "gateway-postgres-tests"))
        _ = try await dispatcher.enqueue(stored, requester: requester)
        let owed = try await database.read { try WebhookStore.pending(for: endpoint.id, $0) }
        #expect(owed.map(\.notificationId) == notifications.map(\.id))
        let moved = try #require(try await database.read { try WebhookStore.endpoint(endpoint.id, $0) })
        #expect(moved.cursor?.arrival == owed.last?.arrival && owed.last != nil, "the cursor moved with the rows, in one transaction")

        try await database.write { try WebhookStore.failed(owed[0], status: 500, reason: "answered 500", retryAt: 0, $0) }
        let due = try await database.read { try WebhookStore.due(for: endpoint.id, now: 1, limit: 10, $0) }
        #expect(due.map(\.notificationId) == [owed[0].notificationId])
        #expect(due.first?.attempts == 1 && due.first?.lastStatus == 500)
        try await database.write { try WebhookStore.giveUp(due[0], status: 500, reason: "answered 500", now: 2, $0) }
        let dead = try await database.read { try WebhookStore.deadLetters(of: endpoint.id, $0) }
        #expect(dead.map(\.notificationId) == [owed[0].notificationId])
        #expect(dead.first?.attempts == 2 && dead.first?.lastReason == "answered 500")

        #expect(try await database.write { try WebhookStore.remove(endpoint.id, of: "MO-KCPD", $0) } == false, "another agency's id")
        #expect(try await database.write { try WebhookStore.remove(endpoint.id, of: "MO-DOC-PP", $0) })
        #expect(try await database.read { try WebhookStore.pending(for: endpoint.id, $0) }.isEmpty)
        #expect(try await database.read { try WebhookStore.deadLetters(of: endpoint.id, $0) }.isEmpty)
    }
}
