import Contracts
import Foundation
@testable import ServiceKit
import Storage
import Subscriptions
import Testing

/// The subscription store's behaviour, written once and run on SQLite and on PostgreSQL
/// (`SubscriptionStoreTests`): the queries the router will ask, at given moments.
enum SubscriptionStoreScenarios {
    typealias F = Fixtures

    /// The runtime's tables first, as in a service's database: the store reads the sealing
    /// ledger's (`kit_sealed_keys`) when it applies a subscription following a person.
    static func migrated(_ database: any StorageDatabase, _ subscriptions: [Subscription] = []) async throws {
        _ = try await database.write {
            try StorageMigrator.migrate(ServiceDatabase.runtimeMigrations + SubscriptionStore.migrations, in: $0)
        }
        try await record(subscriptions, database)
    }

    /// Each subscription's event, applied as the runtime would, in one transaction.
    static func record(_ subscriptions: [Subscription], _ database: any StorageDatabase) async throws {
        let events = try subscriptions.enumerated().map { try F.admitted($1, offset: Int64($0)) }
        try await database.write { transaction in
            for event in events { try SubscriptionStore(transaction).apply(event) }
        }
    }

    static func ids(_ subscriptions: [Subscription]) -> [Int] {
        subscriptions.map { Int($0.id.suffix(12))! }
    }

    static func read<T: Sendable>(_ database: any StorageDatabase, _ query: @escaping @Sendable (SubscriptionStore) throws -> T) async throws -> T {
        try await database.write { try query(SubscriptionStore($0)) }
    }

    /// A person is found by state ID or FBI number, only while a subscription is active: not
    /// before its start, not from its expiry, never once cancelled.
    static func aPersonsActiveSubscriptions(_ database: any StorageDatabase) async throws {
        try await migrated(database, [
            F.subscription(1, subject: .person(stateId: "MO1234567", fbiNumber: "734591KA2")),
            F.subscription(2, subject: .person(stateId: nil, fbiNumber: "734591KA2")),
            F.subscription(3, subject: .person(stateId: "MO1234567", fbiNumber: nil), status: .cancelled),
            F.subscription(4, subject: .person(stateId: "MO1234567", fbiNumber: nil), startsAt: F.at(days: 10)),
            F.subscription(5, subject: .person(stateId: "MO1234567", fbiNumber: nil), startsAt: F.at(days: -40), expiresAt: F.at(days: -1)),
            F.subscription(6, subject: .person(stateId: "MO7654321", fbiNumber: nil)),
            F.subscription(7, subject: .place(state: "MO", place: "MO1234567")),
        ])
        #expect(ids(try await read(database) { try $0.active(forPerson: "MO1234567", fbiNumber: nil, asOf: F.now) }) == [1])
        #expect(ids(try await read(database) { try $0.active(forPerson: nil, fbiNumber: "734591KA2", asOf: F.now) }) == [1, 2])
        #expect(ids(try await read(database) { try $0.active(forPerson: "MO1234567", fbiNumber: "734591KA2", asOf: F.now) }) == [1, 2])
        #expect(ids(try await read(database) { try $0.active(forPerson: "MO1234567", fbiNumber: nil, asOf: F.at(days: 10)) }) == [1, 4])
        #expect(ids(try await read(database) { try $0.active(forPerson: "MO1234567", fbiNumber: nil, asOf: F.at(days: -2)) }) == [5])
        #expect(ids(try await read(database) { try $0.active(forPerson: "MO1234567", fbiNumber: nil, asOf: F.at(days: -1)) }).isEmpty)
        #expect(try await read(database) { try $0.active(forPerson: nil, fbiNumber: nil, asOf: F.now) }.isEmpty)
        // A year later the first has expired.
        #expect(ids(try await read(database) { try $0.active(forPerson: "MO1234567", fbiNumber: nil, asOf: F.at(days: 366)) }) == [4])
    }

    /// A place or a county of a state, matched whatever the spelling ("St. Louis" = "SAINT LOUIS"),
    /// a place never matching a county of the same name; an agency's feed by its id.
    static func placesCountiesAndFeeds(_ database: any StorageDatabase) async throws {
        try await migrated(database, [
            F.subscription(1, subject: .place(state: "MO", place: "St. Louis")),
            F.subscription(2, subject: .county(state: "MO", county: "Jackson")),
            F.subscription(3, subject: .place(state: "MO", place: "Jackson")),
            F.subscription(4, subject: .place(state: "IL", place: "St. Louis")),
            F.subscription(5, subject: .agencyFeed(agencyId: "MO-JCSO")),
            F.subscription(6, subject: .place(state: "MO", place: "Saint Louis"), status: .cancelled),
        ])
        #expect(ids(try await read(database) { try $0.active(inState: "mo", place: "SAINT LOUIS", county: nil, asOf: F.now) }) == [1])
        #expect(ids(try await read(database) { try $0.active(inState: "MO", place: "Kansas City", county: "jackson", asOf: F.now) }) == [2])
        #expect(ids(try await read(database) { try $0.active(inState: "MO", place: "Jackson", county: nil, asOf: F.now) }) == [3])
        #expect(ids(try await read(database) { try $0.active(inState: "MO", place: "Jackson", county: "Jackson", asOf: F.now) }) == [2, 3])
        #expect(ids(try await read(database) { try $0.active(inState: "IL", place: "st louis", county: nil, asOf: F.now) }) == [4])
        #expect(try await read(database) { try $0.active(inState: "MO", place: nil, county: nil, asOf: F.now) }.isEmpty)
        #expect(ids(try await read(database) { try $0.active(forAgencyFeed: "MO-JCSO", asOf: F.now) }) == [5])
        #expect(try await read(database) { try $0.active(forAgencyFeed: "MO-KCPD", asOf: F.now) }.isEmpty)
    }

    /// Expiring within 30 days of a moment: active ones whose expiry is after it and at most 30
    /// days later, soonest first; not cancelled ones, not those already expired.
    static func expiringWithinThirtyDays(_ database: any StorageDatabase) async throws {
        try await migrated(database, [
            F.subscription(1, startsAt: F.at(days: -300), expiresAt: F.at(days: 20)),
            F.subscription(2, startsAt: F.at(days: -300), expiresAt: F.at(days: 30)),
            F.subscription(3, startsAt: F.at(days: -300), expiresAt: F.at(days: 30, hours: 1)),
            F.subscription(4, startsAt: F.at(days: -300), expiresAt: F.at(days: 5)),
            F.subscription(5, startsAt: F.at(days: -300), expiresAt: F.at(days: -1)),
            F.subscription(6, startsAt: F.at(days: -300), expiresAt: F.at(days: 10), status: .cancelled),
            F.subscription(7, startsAt: F.at(days: -300), expiresAt: F.now),
        ])
        #expect(ids(try await read(database) { try $0.expiring(of: F.now) }) == [4, 1, 2])
        #expect(ids(try await read(database) { try $0.expiring(withinDays: 7, of: F.now) }) == [4])
        #expect(ids(try await read(database) { try $0.expiring(of: F.at(days: 6)) }) == [1, 2, 3])
    }

    /// The latest state replaces the earlier one: a renewal moves the expiry, a cancellation
    /// ends every answer; the state reads back whole.
    static func theLatestStateReplacesTheEarlier(_ database: any StorageDatabase) async throws {
        let first = try F.rules.admit(F.request(), id: UUID(uuidString: "00000000-0000-4000-8000-000000000001")!)
        try await migrated(database, [first])
        #expect(try await read(database) { try $0.subscription(first.id) } == first)
        let renewed = try Subscriptions.SubscriptionRules(moment: F.at(days: 300), directory: F.directory).renew(first, by: "officer:PP-KC-118")
        try await record([renewed], database)
        #expect(ids(try await read(database) { try $0.active(forPerson: "MO1234567", fbiNumber: nil, asOf: F.at(days: 600)) }) == [1])
        #expect(try await read(database) { try $0.subscription(first.id) }?.renewals.count == 1)
        let cancelled = try F.rules.cancel(renewed, by: "operator:bus-ops-1")
        try await record([cancelled, cancelled], database)
        #expect(try await read(database) { try $0.active(forPerson: "MO1234567", fbiNumber: nil, asOf: F.at(days: 1)) }.isEmpty)
        #expect(try await read(database) { try $0.all() } == [cancelled])
        #expect(try await read(database) { try $0.subscription("00000000-0000-4000-8000-000000000009") } == nil)
    }

    /// An expiry written beyond the one-year limit (around the tools) routes only up to the
    /// limit and is reported expiring at it.
    static func anExpiryBeyondTheLimitCountsAsTheLimit(_ database: any StorageDatabase) async throws {
        let long = F.subscription(1, startsAt: F.now, expiresAt: F.at(days: 730))
        try await migrated(database, [long])
        let limit = Subscription.oneYear(after: F.now)
        #expect(ids(try await read(database) { try $0.active(forPerson: "MO1234567", fbiNumber: nil, asOf: limit.addingTimeInterval(-1)) }) == [1])
        #expect(try await read(database) { try $0.active(forPerson: "MO1234567", fbiNumber: nil, asOf: limit) }.isEmpty)
        #expect(ids(try await read(database) { try $0.expiring(of: limit.addingTimeInterval(-86_400)) }) == [1])
        #expect(try await read(database) { try $0.subscription(long.id) }?.expiresAt == F.at(days: 730), "the state as written")
    }

    /// An event whose subject is two things is a poison message naming the field, and changes
    /// nothing; another topic's event is ignored.
    /// An `all_records` order removes the subscriptions following its person (not others'); a
    /// subscription following them recorded before the order and read after it is not kept,
    /// one recorded after it is.
    static func aSealingOrderEndsTheSubscriptionsFollowingItsPerson(_ database: any StorageDatabase) async throws {
        let reyes = Subscription.Subject.person(stateId: "MO1234567", fbiNumber: nil)
        let hill = Subscription.Subject.person(stateId: "MO7654321", fbiNumber: nil)
        try await migrated(database, [F.subscription(1, subject: reyes), F.subscription(2, subject: hill)])
        let order = SealingOrder(
            kind: .sealed, orderId: "1616-CV-771-SEAL", issuingCourtId: "MO-CIRCUIT16", orderedOn: CalendarDate("2025-09-01")!,
            scope: .allRecords, caseNumbers: [], stateId: "MO1234567", fbiNumber: nil,
            orderedAtMilliseconds: SealingOrder.milliseconds(F.now.addingTimeInterval(3_600)), eventId: "order")
        let tally = try await database.write { transaction in
            let removed = try SubscriptionStore(transaction).seal(order)
            try SealingLedger(transaction).record(order, removed: removed)
            return removed
        }
        #expect(tally.description == "subscriptions=1")
        #expect(ids(try await read(database) { try $0.all() }) == [2])

        try await record([F.subscription(3, subject: reyes)], database)  // created at `now`, before the order
        #expect(ids(try await read(database) { try $0.all() }) == [2])
        try await record([F.subscription(4, subject: reyes, startsAt: F.now.addingTimeInterval(7_200))], database)
        #expect(ids(try await read(database) { try $0.all() }).sorted() == [2, 4])
    }

    static func aMalformedEventIsPoisonAndChangesNothing(_ database: any StorageDatabase) async throws {
        try await migrated(database)
        var recorded = F.subscription(1).recorded
        recorded.subject.place = SubscribedPlace(state: "MO", place: "Kansas City")
        let event = EventEnvelope(
            occurredAt: F.now, recordedAt: F.now, source: SourceAgency(agencyId: "MO-DOC-PP", agencyKind: .communitySupervision),
            subject: nil, payload: recorded)
        var twoThings = try F.admitted(F.subscription(1))
        twoThings.value = try EventCodec.encode(event)
        let admitted = twoThings
        let poison = try await database.write { transaction -> String? in
            do {
                try SubscriptionStore(transaction).apply(admitted)
                return nil
            } catch let error as PoisonMessage {
                return error.reason
            }
        }
        #expect(poison == "bus.subscription.recorded: subject: exactly one of person, place and agencyFeed")
        var otherType = admitted
        otherType.eventType = "reference.agency.described"
        let other = otherType
        try await database.write { try SubscriptionStore($0).apply(other) }
        #expect(try await read(database) { try $0.all() }.isEmpty)
    }
}
