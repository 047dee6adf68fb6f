import Contracts
import Foundation
import Storage
import Timers
import ServiceKit

/// The bulletin rules' database: each person's current mental-health bulletin
/// (`bulletins_current`, from the compacted `supervision.mental-health-bulletins`: one per
/// person, under the person key: `sid:<state ID>`, else `fbi:<FBI number>` for a version-2
/// bulletin), the police agencies each bulletin was delivered to (`bulletins_deliveries`, with
/// the consent's end it went under, so that a withdrawal, a replacement or the consent's end
/// reaches exactly them) and the last tick read (`bulletins_clock`). Every value a
/// bound parameter; the same SQL on SQLite and PostgreSQL.
///
/// A bulletin's row is reference state (the topic keeps it forever, compacted); a delivery goes
/// once its withdrawal is sent.
struct BulletinStore {
    let transaction: any StorageTransaction

    init(_ transaction: any StorageTransaction) { self.transaction = transaction }

    /// Shipped steps are never edited: changes come as new ones.
    static let migrations: [StorageMigration] = [
        .script("bulletins-v1", """
            CREATE TABLE bulletins_current (
                state_id TEXT PRIMARY KEY NOT NULL,
                fbi_number TEXT,
                bulletin_id TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('published', 'withdrawn', 'expired')),
                granted_from_ms BIGINT NOT NULL,
                expires_after_ms BIGINT NOT NULL,
                event BYTEA NOT NULL
            );
            CREATE INDEX bulletins_current_by_fbi ON bulletins_current (fbi_number);
            CREATE INDEX bulletins_current_by_grant ON bulletins_current (status, granted_from_ms);
            CREATE INDEX bulletins_current_by_expiry ON bulletins_current (status, expires_after_ms);
            CREATE TABLE bulletins_deliveries (
                bulletin_id TEXT NOT NULL,
                recipient TEXT NOT NULL,
                state_id TEXT NOT NULL,
                recipient_agency_id TEXT,
                PRIMARY KEY (bulletin_id, recipient)
            );
            CREATE INDEX bulletins_deliveries_by_state_id ON bulletins_deliveries (state_id);
            CREATE TABLE bulletins_clock (
                clock TEXT PRIMARY KEY NOT NULL,
                at_ms BIGINT NOT NULL
            );
            """),
        // Version 2 of the bulletin events may name the person by the FBI number alone: a
        // bulletin is kept under the person key, and a delivery names both numbers (for sealing).
        .script("bulletins-v2", """
            CREATE TABLE bulletins_by_person (
                person_key TEXT PRIMARY KEY NOT NULL,
                state_id TEXT,
                fbi_number TEXT,
                bulletin_id TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('published', 'withdrawn', 'expired')),
                granted_from_ms BIGINT NOT NULL,
                expires_after_ms BIGINT NOT NULL,
                event BYTEA NOT NULL
            );
            INSERT INTO bulletins_by_person (person_key, state_id, fbi_number, bulletin_id, status, granted_from_ms, expires_after_ms, event)
                SELECT 'sid:' || state_id, state_id, fbi_number, bulletin_id, status, granted_from_ms, expires_after_ms, event
                FROM bulletins_current;
            DROP TABLE bulletins_current;
            ALTER TABLE bulletins_by_person RENAME TO bulletins_current;
            CREATE INDEX bulletins_current_by_state_id ON bulletins_current (state_id);
            CREATE INDEX bulletins_current_by_fbi ON bulletins_current (fbi_number);
            CREATE INDEX bulletins_current_by_grant ON bulletins_current (status, granted_from_ms);
            CREATE INDEX bulletins_current_by_expiry ON bulletins_current (status, expires_after_ms);
            CREATE TABLE bulletins_deliveries_by_person (
                bulletin_id TEXT NOT NULL,
                recipient TEXT NOT NULL,
                state_id TEXT,
                fbi_number TEXT,
                recipient_agency_id TEXT,
                PRIMARY KEY (bulletin_id, recipient)
            );
            INSERT INTO bulletins_deliveries_by_person (bulletin_id, recipient, state_id, fbi_number, recipient_agency_id)
                SELECT bulletin_id, recipient, state_id, NULL, recipient_agency_id FROM bulletins_deliveries;
            DROP TABLE bulletins_deliveries;
            ALTER TABLE bulletins_deliveries_by_person RENAME TO bulletins_deliveries;
            CREATE INDEX bulletins_deliveries_by_state_id ON bulletins_deliveries (state_id);
            CREATE INDEX bulletins_deliveries_by_fbi ON bulletins_deliveries (fbi_number);
            """),
        // A delivery remembers the end of the consent it was sent under and the publication it
        // carried, so that its consent's end withdraws it even once a later bulletin replaced
        // the person's current one. Rows kept before take them from the current bulletin.
        .script("bulletins-v3", """
            ALTER TABLE bulletins_deliveries ADD COLUMN expires_after_ms BIGINT;
            ALTER TABLE bulletins_deliveries ADD COLUMN event_id TEXT;
            UPDATE bulletins_deliveries SET expires_after_ms = (
                SELECT MAX(c.expires_after_ms) FROM bulletins_current c WHERE c.bulletin_id = bulletins_deliveries.bulletin_id);
            CREATE INDEX bulletins_deliveries_by_expiry ON bulletins_deliveries (expires_after_ms);
            """),
    ]

    /// The key a person's bulletin is kept under: `sid:<state ID>`, else `fbi:<FBI number>`;
    /// nil when the subject names neither (version 1 requires the state ID, version 2 one of them).
    static func personKey(_ subject: SubjectIdentifiers?) -> String? {
        PersonNumberKey.of(stateId: subject?.stateId, fbiNumber: subject?.fbiNumber)
    }

    private static let person = "((state_id IS NOT NULL AND state_id = $1) OR (fbi_number IS NOT NULL AND fbi_number = $2))"

    // MARK: Clock

    /// The latest tick read (ms since 1970); nil before the first.
    func lastTick() throws -> Int64? { try clock.last() }

    func recordTick(_ atMilliseconds: Int64) throws { try clock.record(atMilliseconds) }

    private var clock: TickClock { TickClock(table: "bulletins_clock", in: transaction) }

    // MARK: Bulletins

    /// Stores the person's current bulletin (published), replacing the previous one: under the
    /// same key (the topic's order), or under the other number (version 1 and 2 are keyed
    /// apart, so their order is that of the events' times). A bulletin older than the one kept
    /// under the other number is not kept; returns whether it was.
    @discardableResult
    func publish(_ published: EventEnvelope<MentalHealthBulletinPublished>, personKey: String) throws -> Bool {
        let others = try transaction.fetchAll(
            "SELECT event FROM bulletins_current WHERE person_key <> $3 AND \(Self.person)",
            [.optional(published.subject?.stateId), .optional(published.subject?.fbiNumber), .text(personKey)]
        ).map(Self.event(row:))
        if others.contains(where: { $0.occurredAt > published.occurredAt }) { return false }
        try transaction.send(
            "DELETE FROM bulletins_current WHERE person_key <> $3 AND \(Self.person)",
            [.optional(published.subject?.stateId), .optional(published.subject?.fbiNumber), .text(personKey)])
        let consent = published.payload.consent
        try transaction.send(
            """
            INSERT INTO bulletins_current (person_key, state_id, fbi_number, bulletin_id, status, granted_from_ms, expires_after_ms, event)
            VALUES ($1, $2, $3, $4, 'published', $5, $6, $7)
            ON CONFLICT (person_key) DO UPDATE SET state_id = excluded.state_id, fbi_number = excluded.fbi_number,
                bulletin_id = excluded.bulletin_id, status = 'published', granted_from_ms = excluded.granted_from_ms,
                expires_after_ms = excluded.expires_after_ms, event = excluded.event
            """,
            [.text(personKey), .optional(published.subject?.stateId), .optional(published.subject?.fbiNumber), .text(published.payload.bulletinId),
             .integer(BulletinConsentWindow.grantedFrom(consent)), .integer(BulletinConsentWindow.expiresAfter(consent)),
             .bytes(try EventCodec.encode(published))])
        return true
    }

    /// Marks the person's bulletin `bulletinId` withdrawn or expired, under whichever of the
    /// person's numbers it was kept (a withdrawal naming both finds one kept under the FBI number).
    func setStatus(_ status: String, of subject: SubjectIdentifiers?, bulletinId: String) throws {
        try transaction.send(
            "UPDATE bulletins_current SET status = $3 WHERE bulletin_id = $4 AND \(Self.person)",
            [.optional(subject?.stateId), .optional(subject?.fbiNumber), .text(status), .text(bulletinId)])
    }

    /// The person's current bulletin if published (not withdrawn nor expired).
    ///
    /// Selected by person alone, the status tested here: with it in the SQL, SQLite's planner
    /// chose the status index over the person's and read every published bulletin at each
    /// lookup (`RouterQueryPlanTests`).
    func published(of subject: SubjectIdentifiers?) throws -> EventEnvelope<MentalHealthBulletinPublished>? {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return nil }
        return try transaction.fetchAll(
            "SELECT event, status FROM bulletins_current WHERE \(Self.person) ORDER BY person_key",
            [.optional(subject.stateId), .optional(subject.fbiNumber)]
        ).first { try $0.get("status", as: String.self) == "published" }.map(Self.event(row:))
    }

    /// Published bulletins whose consent starts after `after` and at or before `until`, and is
    /// still in force at `until`.
    func consentStarting(after: Int64?, until: Int64) throws -> [EventEnvelope<MentalHealthBulletinPublished>] {
        try transaction.fetchAll(
            """
            SELECT event FROM bulletins_current
            WHERE status = 'published' AND granted_from_ms > $1 AND granted_from_ms <= $2 AND expires_after_ms > $2
            ORDER BY person_key
            """,
            [.integer(after ?? Int64.min), .integer(until)]
        ).map(Self.event(row:))
    }

    /// Published bulletins whose consent ended at or before `until`.
    func consentEnded(until: Int64) throws -> [EventEnvelope<MentalHealthBulletinPublished>] {
        try transaction.fetchAll(
            "SELECT event FROM bulletins_current WHERE status = 'published' AND expires_after_ms <= $1 ORDER BY person_key",
            [.integer(until)]
        ).map(Self.event(row:))
    }

    private static func event(row: StorageRow) throws -> EventEnvelope<MentalHealthBulletinPublished> {
        try EventCodec.decode(MentalHealthBulletinPublished.self, from: try row.get("event", as: [UInt8].self))
    }

    // MARK: Deliveries

    /// One agency a bulletin was sent to, under the consent ending at `expiresAfter` (nil for a
    /// row kept before `bulletins-v3` whose bulletin was no longer current).
    struct Delivery: Equatable {
        var bulletinId: String
        var recipient: String
        var stateId: String?
        var fbiNumber: String?
        var expiresAfter: Int64?
        /// The publication's event id (nil for a row kept before `bulletins-v3`).
        var eventId: String?

        var subject: SubjectIdentifiers { SubjectIdentifiers(stateId: stateId, fbiNumber: fbiNumber) }
    }

    /// Records that `published` went to `recipient`; a later publication under the same bulletin
    /// id to the same recipient updates the consent's end and the event.
    func recordDelivery(
        _ published: EventEnvelope<MentalHealthBulletinPublished>, recipient: String, recipientAgencyId: String?
    ) throws {
        try transaction.send(
            """
            INSERT INTO bulletins_deliveries (bulletin_id, recipient, state_id, fbi_number, recipient_agency_id, expires_after_ms, event_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (bulletin_id, recipient) DO UPDATE SET expires_after_ms = excluded.expires_after_ms, event_id = excluded.event_id
            """,
            [.text(published.payload.bulletinId), .text(recipient), .optional(published.subject?.stateId), .optional(published.subject?.fbiNumber),
             .optional(recipientAgencyId), .integer(BulletinConsentWindow.expiresAfter(published.payload.consent)),
             .text(published.eventId.uuidString.lowercased())])
    }

    /// The recipients a bulletin was delivered to, by recipient.
    func deliveries(of bulletinId: String) throws -> [String] {
        try transaction.fetchAll(
            "SELECT recipient FROM bulletins_deliveries WHERE bulletin_id = $1 ORDER BY recipient", [.text(bulletinId)]
        ).map { try $0.get("recipient") }
    }

    /// Every delivery of any bulletin of the person (by either number), by bulletin and recipient.
    func deliveries(toPerson subject: SubjectIdentifiers?) throws -> [Delivery] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        return try transaction.fetchAll(
            "SELECT * FROM bulletins_deliveries WHERE \(Self.person) ORDER BY bulletin_id, recipient",
            [.optional(subject.stateId), .optional(subject.fbiNumber)]
        ).map(Self.delivery(row:))
    }

    /// Deliveries whose consent ended at or before `until`, by bulletin and recipient.
    func deliveriesEnded(until: Int64) throws -> [Delivery] {
        try transaction.fetchAll(
            "SELECT * FROM bulletins_deliveries WHERE expires_after_ms <= $1 ORDER BY bulletin_id, recipient", [.integer(until)]
        ).map(Self.delivery(row:))
    }

    /// Deliveries with no consent's end, by bulletin and recipient: only rows kept before
    /// `bulletins-v3` of a bulletin no longer current then (every delivery since records its end).
    func deliveriesWithoutConsentEnd() throws -> [Delivery] {
        try transaction.fetchAll(
            "SELECT * FROM bulletins_deliveries WHERE expires_after_ms IS NULL ORDER BY bulletin_id, recipient", []
        ).map(Self.delivery(row:))
    }

    private static func delivery(row: StorageRow) throws -> Delivery {
        Delivery(
            bulletinId: try row.get("bulletin_id"), recipient: try row.get("recipient"),
            stateId: try row.get("state_id", as: String?.self), fbiNumber: try row.get("fbi_number", as: String?.self),
            expiresAfter: try row.get("expires_after_ms", as: Int64?.self), eventId: try row.get("event_id", as: String?.self))
    }

    func removeDeliveries(of bulletinId: String) throws {
        try transaction.send("DELETE FROM bulletins_deliveries WHERE bulletin_id = $1", [.text(bulletinId)])
    }

    /// Whether the bulletin is delivered to `recipient` now (not withdrawn from it since).
    func isDelivered(_ bulletinId: String, to recipient: String) throws -> Bool {
        try transaction.fetchOne(
            "SELECT recipient FROM bulletins_deliveries WHERE bulletin_id = $1 AND recipient = $2", [.text(bulletinId), .text(recipient)]) != nil
    }

    func removeDelivery(of bulletinId: String, to recipient: String) throws {
        try transaction.send("DELETE FROM bulletins_deliveries WHERE bulletin_id = $1 AND recipient = $2", [.text(bulletinId), .text(recipient)])
    }

    // MARK: Sealing

    /// The state IDs and FBI numbers the person's bulletins carry (a bulletin naming both
    /// pairs them): `RouterProjection.seal` applies an order naming one again with the other.
    func numbers(of order: SealingOrder) throws -> (stateIds: Set<String>, fbiNumbers: Set<String>) {
        let arguments: [SQLValue] = [.optional(order.stateId), .optional(order.fbiNumber)]
        return (try transaction.personNumbers("state_id", in: ["bulletins_current"], where: Self.person, arguments),
                try transaction.personNumbers("fbi_number", in: ["bulletins_current"], where: Self.person, arguments))
    }

    /// Removes the person's bulletin and its deliveries (`all_records`): those under the
    /// order's numbers and the `paired` state IDs (the router's cases pair them with the
    /// order's), and those under the other number a removed bulletin names (one step, reported
    /// as paired so the runtime's ledger refuses late copies under it too).
    func removePerson(_ order: SealingOrder, alsoStateIds paired: Set<String> = []) throws -> SealingTally {
        var tally = SealingTally()
        var stateIds = paired.union(order.stateId.map { [$0] } ?? [])
        var fbiNumbers = Set(order.fbiNumber.map { [$0] } ?? [])
        for stateId in paired where stateId != order.stateId { tally.notePaired(stateId: stateId, fbiNumber: nil) }
        let rows = try transaction.fetchAll(
            "SELECT state_id, fbi_number FROM bulletins_current WHERE \(Self.person)", [.optional(order.stateId), .optional(order.fbiNumber)])
        for row in rows {
            if let stateId = try row.get("state_id", as: String?.self), stateIds.insert(stateId).inserted {
                tally.notePaired(stateId: stateId, fbiNumber: nil)
            }
            if let fbiNumber = try row.get("fbi_number", as: String?.self), fbiNumbers.insert(fbiNumber).inserted {
                tally.notePaired(stateId: nil, fbiNumber: fbiNumber)
            }
        }
        for table in ["bulletins_deliveries", "bulletins_current"] {
            for stateId in stateIds.sorted() {
                tally.add(try transaction.execute("DELETE FROM \(table) WHERE state_id = $1", [.text(stateId)]), from: table)
            }
            for fbiNumber in fbiNumbers.sorted() {
                tally.add(try transaction.execute("DELETE FROM \(table) WHERE fbi_number = $1", [.text(fbiNumber)]), from: table)
            }
        }
        return tally
    }
}

/// When a bulletin's consent is in force: from the start (UTC) of `grantedOn` until the end of
/// `expiresOn` — a tick at or after the midnight following `expiresOn` is past it.
enum BulletinConsentWindow {
    static func grantedFrom(_ consent: BulletinConsent) -> Int64 { ReleaseClock.startMilliseconds(of: consent.grantedOn) }
    static func expiresAfter(_ consent: BulletinConsent) -> Int64 { ReleaseClock.startMilliseconds(of: consent.expiresOn) + 86_400_000 }

    static func isInForce(_ consent: BulletinConsent, at milliseconds: Int64) -> Bool {
        grantedFrom(consent) <= milliseconds && milliseconds < expiresAfter(consent)
    }
}
