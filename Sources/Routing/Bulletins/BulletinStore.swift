import Contracts
import Foundation
import Storage
import ServiceKit

/// The bulletin rules' database: each person's current mental-health bulletin
/// (`bulletins_current`, from the compacted `supervision.mental-health-bulletins`: one per
/// person), the police agencies it was delivered to (`bulletins_deliveries`, so that a
/// withdrawal reaches exactly them) and the last tick read (`bulletins_clock`). Every value a
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
    ]

    private static let person = "((state_id IS NOT NULL AND state_id = $1) OR (fbi_number IS NOT NULL AND fbi_number = $2))"

    // MARK: Clock

    func lastTick() throws -> Int64? {
        try transaction.fetchOne("SELECT at_ms FROM bulletins_clock WHERE clock = 'minute'")?.get("at_ms")
    }

    func recordTick(_ atMilliseconds: Int64) throws {
        try transaction.execute(
            "INSERT INTO bulletins_clock (clock, at_ms) VALUES ('minute', $1) ON CONFLICT (clock) DO UPDATE SET at_ms = excluded.at_ms",
            [.integer(atMilliseconds)])
    }

    // MARK: Bulletins

    /// Stores the person's current bulletin (published), replacing the previous one.
    func publish(_ published: EventEnvelope<MentalHealthBulletinPublished>, stateId: String) throws {
        let consent = published.payload.consent
        try transaction.execute(
            """
            INSERT INTO bulletins_current (state_id, fbi_number, bulletin_id, status, granted_from_ms, expires_after_ms, event)
            VALUES ($1, $2, $3, 'published', $4, $5, $6)
            ON CONFLICT (state_id) DO UPDATE SET fbi_number = excluded.fbi_number, bulletin_id = excluded.bulletin_id,
                status = 'published', granted_from_ms = excluded.granted_from_ms, expires_after_ms = excluded.expires_after_ms,
                event = excluded.event
            """,
            [.text(stateId), .optional(published.subject?.fbiNumber), .text(published.payload.bulletinId),
             .integer(BulletinConsentWindow.grantedFrom(consent)), .integer(BulletinConsentWindow.expiresAfter(consent)),
             .bytes(try EventCodec.encode(published))])
    }

    func setStatus(_ status: String, stateId: String, bulletinId: String) throws {
        try transaction.execute(
            "UPDATE bulletins_current SET status = $1 WHERE state_id = $2 AND bulletin_id = $3", [.text(status), .text(stateId), .text(bulletinId)])
    }

    /// The person's current bulletin if published (not withdrawn nor expired).
    func published(of subject: SubjectIdentifiers?) throws -> EventEnvelope<MentalHealthBulletinPublished>? {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return nil }
        return try transaction.fetchOne(
            "SELECT event FROM bulletins_current WHERE \(Self.person) AND status = 'published' ORDER BY state_id LIMIT 1",
            [.optional(subject.stateId), .optional(subject.fbiNumber)]
        ).map(Self.event(row:))
    }

    /// Published bulletins whose consent starts after `after` and at or before `until`, and is
    /// still in force at `until`.
    func consentStarting(after: Int64?, until: Int64) throws -> [EventEnvelope<MentalHealthBulletinPublished>] {
        try transaction.fetchAll(
            """
            SELECT event FROM bulletins_current
            WHERE status = 'published' AND granted_from_ms > $1 AND granted_from_ms <= $2 AND expires_after_ms > $2
            ORDER BY state_id
            """,
            [.integer(after ?? Int64.min), .integer(until)]
        ).map(Self.event(row:))
    }

    /// Published bulletins whose consent ended at or before `until`.
    func consentEnded(until: Int64) throws -> [EventEnvelope<MentalHealthBulletinPublished>] {
        try transaction.fetchAll(
            "SELECT event FROM bulletins_current WHERE status = 'published' AND expires_after_ms <= $1 ORDER BY state_id",
            [.integer(until)]
        ).map(Self.event(row:))
    }

    private static func event(row: StorageRow) throws -> EventEnvelope<MentalHealthBulletinPublished> {
        try EventCodec.decode(MentalHealthBulletinPublished.self, from: try row.get("event", as: [UInt8].self))
    }

    // MARK: Deliveries

    func recordDelivery(bulletinId: String, recipient: String, stateId: String, recipientAgencyId: String?) throws {
        try transaction.execute(
            """
            INSERT INTO bulletins_deliveries (bulletin_id, recipient, state_id, recipient_agency_id) VALUES ($1, $2, $3, $4)
            ON CONFLICT (bulletin_id, recipient) DO NOTHING
            """,
            [.text(bulletinId), .text(recipient), .text(stateId), .optional(recipientAgencyId)])
    }

    /// The recipients a bulletin was delivered to, by recipient.
    func deliveries(of bulletinId: String) throws -> [String] {
        try transaction.fetchAll(
            "SELECT recipient FROM bulletins_deliveries WHERE bulletin_id = $1 ORDER BY recipient", [.text(bulletinId)]
        ).map { try $0.get("recipient") }
    }

    func removeDeliveries(of bulletinId: String) throws {
        try transaction.execute("DELETE FROM bulletins_deliveries WHERE bulletin_id = $1", [.text(bulletinId)])
    }

    // MARK: Sealing

    /// Removes the person's bulletin and its deliveries (`all_records`).
    func removePerson(_ order: SealingOrder, alsoStateIds paired: Set<String> = []) throws -> SealingTally {
        var tally = SealingTally()
        let stateIds = try transaction.fetchAll(
            "SELECT state_id FROM bulletins_current WHERE \(Self.person)", [.optional(order.stateId), .optional(order.fbiNumber)]
        ).map { try $0.get("state_id", as: String.self) }
        for stateId in Set(stateIds + (order.stateId.map { [$0] } ?? [])).union(paired).sorted() {
            tally.add(try transaction.execute("DELETE FROM bulletins_deliveries WHERE state_id = $1", [.text(stateId)]), from: "bulletins_deliveries")
            if stateId != order.stateId { tally.notePaired(stateId: stateId, fbiNumber: nil) }
        }
        tally.add(
            try transaction.execute("DELETE FROM bulletins_current WHERE \(Self.person)", [.optional(order.stateId), .optional(order.fbiNumber)]),
            from: "bulletins_current")
        for stateId in paired.sorted() {
            tally.add(try transaction.execute("DELETE FROM bulletins_current WHERE state_id = $1", [.text(stateId)]), from: "bulletins_current")
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

    /// Whether the consent's scope includes the police agency: it names the agency (id or name)
    /// or police in general ("police", "law enforcement", "sheriff"). The scope is the person's
    /// words (the contract's free text), so anything else is read as not including police.
    static func includesPolice(_ scope: String, agency: AgencyDescribed?) -> Bool {
        let text = scope.lowercased()
        if let agency, text.contains(agency.agencyId.lowercased()) || text.contains(agency.name.lowercased()) { return true }
        return ["police", "law enforcement", "sheriff"].contains { text.contains($0) }
    }
}
