import Contracts
import Directory
import Foundation
import ServiceKit
import Storage

/// The explicit subscriptions kept as reference state in a service's own database: each
/// subscription's latest state (from `bus.subscriptions`, compacted by id, read in full), with
/// what the router looks them up by indexed: a person's state ID and FBI number, a place or
/// county of a state, an agency's feed, the expiry. Each method is one step of the transaction
/// it is given; every value a bound parameter; the same SQL on SQLite and PostgreSQL.
///
/// Time is always the caller's (`asOf`, `of`), never a clock, so a replay answers alike. An
/// expiry beyond the one-year limit is stored as the limit (``Subscription/effectiveExpiry``):
/// an event written around the tools cannot route longer than a year.
///
/// A service that needs subscriptions adds `migrations` to its own and hands the topic's events
/// to `apply(_:)`. Cancelled and expired subscriptions are kept (they answer no "active" query):
/// the topic keeps them too, and a renewal may follow an expiry's warning.
public struct SubscriptionStore {
    /// The subscriptions' topic (`Topics/bus.subscriptions.yaml`).
    public static let topic = BusTopic.subscriptions

    let transaction: any StorageTransaction

    public init(_ transaction: any StorageTransaction) { self.transaction = transaction }

    /// The subscriptions' table, in the shared dialect. Shipped steps are never edited: changes
    /// come as new ones.
    public static let migrations: [StorageMigration] = [
        .script("subscriptions-v1", """
            CREATE TABLE subscriptions (
                subscription_id TEXT PRIMARY KEY NOT NULL,
                subscriber TEXT NOT NULL,
                subscriber_agency_id TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
                subject_kind TEXT NOT NULL CHECK (subject_kind IN ('person', 'place', 'county', 'agency_feed')),
                state_id TEXT,
                fbi_number TEXT,
                place_state TEXT,
                place_key TEXT,
                feed_agency_id TEXT,
                starts_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                subscription BYTEA NOT NULL
            );
            CREATE INDEX subscriptions_by_state_id ON subscriptions (state_id);
            CREATE INDEX subscriptions_by_fbi_number ON subscriptions (fbi_number);
            CREATE INDEX subscriptions_by_place ON subscriptions (place_state, place_key);
            CREATE INDEX subscriptions_by_feed ON subscriptions (feed_agency_id);
            CREATE INDEX subscriptions_by_expiry ON subscriptions (status, expires_at);
            CREATE INDEX subscriptions_by_subscriber ON subscriptions (subscriber);
            """),
    ]

    /// Whether `eventType` is the subscriptions' event.
    public static func handles(eventType: String) -> Bool {
        eventType == SubscriptionRecorded.eventType
    }

    /// Applies a subscription event (its whole state replaces the stored one); other events are
    /// ignored.
    ///
    /// - Throws: `PoisonMessage` when the event does not decode or its subject is not exactly
    ///   one thing (it is dead-lettered), or the database's error.
    ///
    /// A subscription following a person whom a sealing order applied here covers, recorded
    /// before the order (a late delivery, a replay), is not kept.
    public func apply(_ event: AdmittedEvent) throws {
        guard event.eventType == SubscriptionRecorded.eventType else { return }
        let envelope = try event.decode(SubscriptionRecorded.self)
        let subscription: Subscription
        do {
            subscription = try Subscription(envelope.payload)
        } catch {
            throw PoisonMessage(reason: "\(SubscriptionRecorded.eventType): \(error.field): \(error.reason)")
        }
        if case .person(let stateId, let fbiNumber) = subscription.subject,
           try SealingLedger(transaction).covers(
               stateId: stateId, fbiNumber: fbiNumber, occurredAtMilliseconds: SealingOrder.milliseconds(envelope.occurredAt))
        {
            return
        }
        try record(subscription)
    }

    /// Removes the subscriptions following the person an `all_records` order names (by state ID
    /// or FBI number): following someone is keeping a record about them. A `listed_cases` order
    /// leaves them (a subscription belongs to no case).
    public func seal(_ order: SealingOrder) throws -> SealingTally {
        var tally = SealingTally()
        guard order.scope == .allRecords, order.stateId != nil || order.fbiNumber != nil else { return tally }
        tally.add(
            try transaction.execute(
                "DELETE FROM subscriptions WHERE subject_kind = 'person' AND (state_id = $1 OR fbi_number = $2)",
                [.optional(order.stateId), .optional(order.fbiNumber)]),
            from: "subscriptions")
        return tally
    }

    // MARK: Changes

    /// Stores a subscription's state, replacing the previous one.
    public func record(_ subscription: Subscription) throws {
        let columns = SubjectColumns(subscription.subject)
        try transaction.execute(
            """
            INSERT INTO subscriptions (
                subscription_id, subscriber, subscriber_agency_id, status, subject_kind, state_id, fbi_number,
                place_state, place_key, feed_agency_id, starts_at, expires_at, subscription
            ) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (subscription_id) DO UPDATE SET
                subscriber = excluded.subscriber, subscriber_agency_id = excluded.subscriber_agency_id,
                status = excluded.status, subject_kind = excluded.subject_kind, state_id = excluded.state_id,
                fbi_number = excluded.fbi_number, place_state = excluded.place_state, place_key = excluded.place_key,
                feed_agency_id = excluded.feed_agency_id, starts_at = excluded.starts_at, expires_at = excluded.expires_at,
                subscription = excluded.subscription
            """,
            [
                .text(subscription.id), .text(subscription.subscriber.description), .text(subscription.subscriberAgencyId),
                .text(subscription.status.rawValue), .text(columns.kind), .optional(columns.stateId), .optional(columns.fbiNumber),
                .optional(columns.placeState), .optional(columns.placeKey), .optional(columns.feedAgencyId),
                .integer(Self.milliseconds(subscription.startsAt)), .integer(Self.milliseconds(subscription.effectiveExpiry)),
                .bytes(try EventCodec.encodeJSON(subscription.recorded)),
            ])
    }

    // MARK: Reads

    /// A subscription by id, whatever its status; nil when none was read.
    public func subscription(_ id: String) throws -> Subscription? {
        try subscriptions(transaction.fetchAll("SELECT subscription FROM subscriptions WHERE subscription_id = $1", [.text(id)])).first
    }

    /// Every subscription read, whatever its status, by id.
    public func all() throws -> [Subscription] {
        try subscriptions(transaction.fetchAll("SELECT subscription FROM subscriptions ORDER BY subscription_id"))
    }

    /// The subscriptions following a person known by either number, active at `asOf` (not
    /// cancelled, started, not expired), by id. Empty when both numbers are nil.
    public func active(forPerson stateId: String?, fbiNumber: String?, asOf: Date) throws -> [Subscription] {
        guard stateId != nil || fbiNumber != nil else { return [] }
        return try active(
            where: "subject_kind = 'person' AND (state_id = $1 OR fbi_number = $2)", [.optional(stateId), .optional(fbiNumber)], asOf: asOf)
    }

    /// The subscriptions following a place or a county of `state` (names compared as
    /// `PlaceKey` compares them), active at `asOf`, by id. Empty when both are nil.
    public func active(inState state: String, place: String?, county: String?, asOf: Date) throws -> [Subscription] {
        guard place != nil || county != nil else { return [] }
        return try active(
            where: "place_state = $1 AND ((subject_kind = 'place' AND place_key = $2) OR (subject_kind = 'county' AND place_key = $3))",
            [.text(state.uppercased()), .optional(place.map { PlaceKey($0).value }), .optional(county.map { PlaceKey($0).value })],
            asOf: asOf)
    }

    /// The subscriptions following an agency's feed, active at `asOf`, by id.
    public func active(forAgencyFeed agencyId: String, asOf: Date) throws -> [Subscription] {
        try active(where: "subject_kind = 'agency_feed' AND feed_agency_id = $1", [.text(agencyId)], asOf: asOf)
    }

    /// Subscriptions not cancelled whose expiry falls after `moment` and at most `days` days
    /// after it (default 30: when the subscriber is told), soonest first, then by id.
    public func expiring(withinDays days: Int = 30, of moment: Date) throws -> [Subscription] {
        let from = Self.milliseconds(moment)
        return try subscriptions(transaction.fetchAll(
            """
            SELECT subscription FROM subscriptions
            WHERE status = 'active' AND expires_at > $1 AND expires_at <= $2
            ORDER BY expires_at, subscription_id
            """,
            [.integer(from), .integer(from + Int64(max(0, days)) * 86_400_000)]))
    }

    /// The subscriptions meeting `condition` (on the subject: `$1`…), active at `asOf`
    /// (`Subscription.isActive`), by id.
    ///
    /// Selected by subject alone, status and dates tested here: with them in the SQL, SQLite's
    /// planner chose the `(status, expires_at)` index over the subject's, and so read every
    /// active subscription at each event that asked about one person (`RouterQueryPlanTests`).
    private func active(where condition: String, _ arguments: [SQLValue], asOf: Date) throws -> [Subscription] {
        let moment = Self.milliseconds(asOf)
        return try subscriptions(transaction.fetchAll(
            "SELECT subscription, status, starts_at, expires_at FROM subscriptions WHERE \(condition) ORDER BY subscription_id", arguments
        ).filter { row in
            try row.get("status", as: String.self) == SubscriptionStatus.active.rawValue
                && row.get("starts_at", as: Int64.self) <= moment && row.get("expires_at", as: Int64.self) > moment
        }).filter {
            // The columns hold the start and expiry as written; a subscription is active from
            // its creation when it was written with an earlier start, and not past the one-year
            // limit (`Subscription.isActive`, which every rule reading it late asks too).
            $0.isActive(asOf: asOf)
        }
    }

    /// A stored state that no longer decodes is an error (a damaged row), not a missing subscription.
    private func subscriptions(_ rows: [StorageRow]) throws -> [Subscription] {
        try rows.map { row in
            try Subscription(EventCodec.decodeJSON(SubscriptionRecorded.self, from: try row.get("subscription", as: [UInt8].self)))
        }
    }

    /// Milliseconds since 1970, to the nearest (events carry instants to the millisecond).
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000).rounded())
    }

    // MARK: Checksum

    /// Adds the subscriptions' table to a service's state checksum.
    public func update(_ hash: inout SHA256) throws {
        for row in try transaction.fetchAll(
            """
            SELECT subscription_id, subscriber, subscriber_agency_id, status, subject_kind, state_id, fbi_number,
                place_state, place_key, feed_agency_id, starts_at, expires_at, subscription
            FROM subscriptions ORDER BY subscription_id
            """)
        {
            hash.update(row: row)
        }
    }
}

/// How a subject is stored: its kind and the columns it is looked up by.
private struct SubjectColumns {
    var kind: String
    var stateId: String?
    var fbiNumber: String?
    var placeState: String?
    /// A place's or a county's `PlaceKey`.
    var placeKey: String?
    var feedAgencyId: String?

    init(_ subject: Subscription.Subject) {
        switch subject {
        case .person(let stateId, let fbiNumber):
            kind = "person"
            self.stateId = stateId
            self.fbiNumber = fbiNumber
        case .place(let state, let place):
            kind = "place"
            placeState = state.uppercased()
            placeKey = PlaceKey(place).value
        case .county(let state, let county):
            kind = "county"
            placeState = state.uppercased()
            placeKey = PlaceKey(county).value
        case .agencyFeed(let agencyId):
            kind = "agency_feed"
            feedAgencyId = agencyId
        }
    }
}
