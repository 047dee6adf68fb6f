import Contracts
import Foundation
import Notifications
import Storage
import TestSupport
import Testing
import Timers

@testable import Routing
@testable import ServiceKit

/// Bulletin deliveries recorded by the version before `bulletins-v3`, which kept neither the
/// consent's end a delivery went under nor its publication, and which overwrote a person's
/// bulletin with its replacement without withdrawing the first from the agencies it reached.
/// The step takes each delivery's end from the current bulletin of its id; a delivery of a
/// bulletin replaced then has none. The ticks after the upgrade must withdraw every leftover
/// delivery from exactly the agencies it reached, once.
@Suite struct BulletinsBeforeV3Tests {
    let key = NotificationSigningKey.random()

    /// The router with every migration but `bulletins-v3`: the bulletin tables as the earlier
    /// version left them (the other families' tables as now, so that a case can be read before
    /// the upgrade). Everything else is the router's.
    struct RouterBeforeBulletinsV3: EventProjection {
        let router: RouterProjection
        var name: String { router.name }
        var topics: [String] { router.topics }
        var referenceTopics: [String] { router.referenceTopics }
        var migrations: [StorageMigration] { router.migrations.filter { $0.id != "bulletins-v3" } }
        func handles(eventType: String) -> Bool { router.handles(eventType: eventType) }
        func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws { try router.apply(event, in: transaction) }
        func forget(before now: Int64, limit: Int, in transaction: ProjectionTransaction) throws {
            try router.forget(before: now, limit: limit, in: transaction)
        }
        func seal(_ order: SealingOrder, in transaction: ProjectionTransaction) throws -> SealingTally { try router.seal(order, in: transaction) }
    }

    /// Reyes's first bulletin (reached Kansas City's police and, while he lived there,
    /// Independence's), replaced by his second (Kansas City's police only); Hill's, whose
    /// consent ended yesterday. Dates from `Events.now`.
    static let first = Events.bulletinPublished(granted: Events.day(-100), expires: Events.day(100), id: "first")
    static let second = Events.bulletinPublished(granted: Events.day(-5), expires: Events.day(20), id: "second")
    static let hills = Events.bulletinPublished(Events.hill, granted: Events.day(-60), expires: Events.day(0), id: "hill")

    /// "recipient bulletin reason" of each withdrawal among `messages`, sorted; nothing else may be among them.
    private func withdrawals(_ messages: [OutgoingMessage]) throws -> [String] {
        try messages.map { message in
            try NotificationSignature.verify(message.value, headers: message.headers, keys: [key])
            let notice = try BusNotification.decode(message.value)
            #expect(notice.reason.rule == BulletinRules.withdrawn)
            let fact = { (label: String) in notice.facts.first { $0.label == label }?.value ?? "" }
            return "\(notice.recipient) \(fact("bulletin")) \(fact("reason"))"
        }.sorted()
    }

    @Test func leftoverDeliveriesAreWithdrawnFromTheAgenciesTheyReachedOnce() async throws {
        let router = RouterProjection(signingKey: key)
        let harness = try await ProjectionHarness.onCurrentDatabase(RouterBeforeBulletinsV3(router: router))
        #expect(try await harness.count("kit_migrations WHERE id = 'bulletins-v3'") == 0)
        // Reyes's case at a Kansas City address, and the police of both cities, read before
        // the upgrade (no bulletin kept yet: the rules read no bulletin table).
        try await harness.apply(Events.admitted(Events.kcpdEntry, topic: "reference.agencies"))
        try await harness.apply(Events.admitted(Events.independencePDEntry, topic: "reference.agencies"))
        try await harness.apply(Events.admitted(Events.caseStarted(address: Events.kansasCity), topic: RouterProjection.casesTopic))
        // What the earlier version wrote: the last tick it read (now), the current bulletins
        // (the first replaced by the second) and every delivery, with no consent's end nor
        // publication.
        try await harness.write { db, _ in
            try db.execute("INSERT INTO bulletins_clock (clock, at_ms) VALUES ($1, $2)", [.text(TimerTick.minuteClock), .integer(Events.nowMilliseconds)])
            for (key, published) in [("sid:MO1234567", Self.second), ("sid:MO7654321", Self.hills)] {
                try db.execute(
                    """
                    INSERT INTO bulletins_current (person_key, state_id, fbi_number, bulletin_id, status, granted_from_ms, expires_after_ms, event)
                    VALUES ($1, $2, $3, $4, 'published', $5, $6, $7)
                    """,
                    [.text(key), .optional(published.subject?.stateId), .optional(published.subject?.fbiNumber), .text(published.payload.bulletinId),
                     .integer(BulletinConsentWindow.grantedFrom(published.payload.consent)),
                     .integer(BulletinConsentWindow.expiresAfter(published.payload.consent)), .bytes(try EventCodec.encode(published))])
            }
            for (bulletin, recipient, stateId) in [
                ("MHB-first", "agency:MO-KCPD", "MO1234567"), ("MHB-first", "agency:MO-INDEP-PD", "MO1234567"),
                ("MHB-second", "agency:MO-KCPD", "MO1234567"), ("MHB-hill", "agency:MO-KCPD", "MO7654321"),
            ] {
                try db.execute(
                    "INSERT INTO bulletins_deliveries (bulletin_id, recipient, state_id, fbi_number, recipient_agency_id) VALUES ($1, $2, $3, NULL, $4)",
                    [.text(bulletin), .text(recipient), .text(stateId), .text(String(recipient.dropFirst("agency:".count)))])
            }
        }
        // The upgrade: the rest of the steps, as the service runs them at start.
        let applied = try await harness.write { db, _ in try StorageMigrator.migrate(ServiceDatabase.runtimeMigrations + router.migrations, in: db) }
        #expect(applied.first == "bulletins-v3")
        #expect(try await harness.count("bulletins_deliveries WHERE expires_after_ms IS NULL") == 2)  // the first bulletin's

        // The first tick withdraws the replaced bulletin from both agencies it reached and
        // Hill's, whose consent has ended; Reyes's current bulletin stays where it is.
        let firstTick = try withdrawals(try await harness.apply(Events.tick(Events.at(days: 1))))
        #expect(firstTick == [
            "agency:MO-INDEP-PD MHB-first superseded",
            "agency:MO-KCPD MHB-first superseded",
            "agency:MO-KCPD MHB-hill consent_expired",
        ])
        #expect(try await harness.apply(Events.tick(Events.at(days: 1))).isEmpty)  // redelivered
        #expect(try await harness.apply(Events.tick(Events.at(days: 2))).isEmpty)
        #expect(try await harness.count("bulletins_deliveries") == 1)  // the second bulletin's
        // The second bulletin's consent ends: from Kansas City's police, once.
        #expect(try await harness.apply(Events.tick(Events.at(days: 20))).isEmpty)  // its last day
        let pastItsEnd = try withdrawals(try await harness.apply(Events.tick(Events.at(days: 21))))
        #expect(pastItsEnd == ["agency:MO-KCPD MHB-second consent_expired"])
        #expect(try await harness.apply(Events.tick(Events.at(days: 22))).isEmpty)
        #expect(try await harness.count("bulletins_deliveries") == 0)
    }

    /// The tick's look for such deliveries, at every tick, searches the index of the consent's
    /// end (SQLite's plan) instead of reading every delivery.
    @Test func theTicksLookForThemSearchesAnIndex() async throws {
        let harness = try ProjectionHarness(RouterProjection(signingKey: key))
        let plan = try await QueryPlan.lines(
            of: "SELECT * FROM bulletins_deliveries WHERE expires_after_ms IS NULL ORDER BY bulletin_id, recipient", in: harness.database)
        #expect(plan.contains { $0.hasPrefix("SEARCH bulletins_deliveries USING INDEX bulletins_deliveries_by_expiry") }, "\(plan)")
    }
}

@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct BulletinsBeforeV3PostgresTests {
    @Test func leftoverDeliveriesAreWithdrawnFromTheAgenciesTheyReachedOnce() async throws {
        try await BulletinsBeforeV3Tests().leftoverDeliveriesAreWithdrawnFromTheAgenciesTheyReachedOnce()
    }
}
