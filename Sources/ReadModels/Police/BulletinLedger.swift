import Contracts
import ServiceKit
import Storage

/// The mental-health bulletins the police view may show, from
/// `supervision.mental-health-bulletins` (`police_bulletins`, the latest version per bulletin
/// id), and the withdrawals read (`police_bulletin_withdrawals`: bulletin id and when, not the
/// reason).
///
/// A withdrawal deletes the bulletin (the contract: "receivers delete it"), whatever moment a
/// query asks about, and keeps a tombstone so that a version published before it and read
/// after it is not stored again; a version published after it is (consent renewed). A
/// withdrawal is applied even when it names nobody: a bulletin must never outlive it. Consent
/// is checked on publication (`BulletinConsentRule`); whether it is in force is decided per
/// query (`inForceCondition`): from its grant day through its expiry day (UTC days).
struct BulletinLedger: Sendable {
    let prefix: String

    var bulletinsTable: String { "\(prefix)_bulletins" }
    var withdrawalsTable: String { "\(prefix)_bulletin_withdrawals" }
    var tables: [String] { [bulletinsTable, withdrawalsTable] }

    static let types: Set<String> = [MentalHealthBulletinPublished.eventType, MentalHealthBulletinWithdrawn.eventType]

    var schema: String {
        """
        CREATE TABLE \(bulletinsTable) (
            bulletin_id TEXT PRIMARY KEY NOT NULL,
            person_key TEXT NOT NULL,
            state_id TEXT,
            fbi_number TEXT,
            name TEXT,
            date_of_birth BIGINT,
            granted_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            scope TEXT NOT NULL,
            baseline TEXT NOT NULL,
            key_contacts TEXT NOT NULL,
            occurred_at BIGINT NOT NULL,
            event_id TEXT NOT NULL
        );
        CREATE INDEX \(bulletinsTable)_by_person ON \(bulletinsTable) (person_key);
        CREATE TABLE \(withdrawalsTable) (
            bulletin_id TEXT PRIMARY KEY NOT NULL,
            person_key TEXT,
            withdrawn_at BIGINT NOT NULL,
            event_id TEXT NOT NULL
        );
        CREATE INDEX \(withdrawalsTable)_by_person ON \(withdrawalsTable) (person_key)
        """
    }

    /// A later step of the tables (the first is `schema`, shipped as it stands): indexes on the
    /// numbers a sealing order finds a person's bulletins by.
    var numbersStep: String {
        """
        CREATE INDEX \(bulletinsTable)_by_state_id ON \(bulletinsTable) (state_id);
        CREATE INDEX \(bulletinsTable)_by_fbi_number ON \(bulletinsTable) (fbi_number)
        """
    }

    /// Applies a publication or a withdrawal.
    ///
    /// - Throws: `PoisonMessage` for a publication naming nobody, without consent that allows
    ///   police to see it (`BulletinConsentRule`), or an event that does not decode; nothing is
    ///   written then.
    func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        switch event.eventType {
        case MentalHealthBulletinPublished.eventType:
            try published(try event.decode(MentalHealthBulletinPublished.self), eventId: event.eventId, in: transaction)
        case MentalHealthBulletinWithdrawn.eventType:
            let withdrawn = try event.decode(MentalHealthBulletinWithdrawn.self)
            let bulletinId = withdrawn.payload.bulletinId
            let at = ViewTime.milliseconds(withdrawn.occurredAt)
            try transaction.send(
                """
                INSERT INTO \(withdrawalsTable) (bulletin_id, person_key, withdrawn_at, event_id) VALUES ($1, $2, $3, $4)
                ON CONFLICT (bulletin_id) DO UPDATE SET
                    person_key = excluded.person_key, withdrawn_at = excluded.withdrawn_at, event_id = excluded.event_id
                WHERE \(withdrawalsTable).withdrawn_at < excluded.withdrawn_at
                """,
                [.text(bulletinId), PersonKey(namedIn: withdrawn.subject)?.value.sqlValue ?? .null, .integer(at), .text(event.eventId)])
            try transaction.send(
                "DELETE FROM \(bulletinsTable) WHERE bulletin_id = $1 AND occurred_at <= $2", [.text(bulletinId), .integer(at)])
        default:
            return
        }
    }

    private func published(
        _ published: EventEnvelope<MentalHealthBulletinPublished>, eventId: String, in transaction: any StorageTransaction
    ) throws {
        let person = try PersonOnRecord(subject: published.subject)
        let bulletin = published.payload
        try BulletinConsentRule.check(bulletin.consent)
        let occurredAt = ViewTime.milliseconds(published.occurredAt)
        if let withdrawal = try transaction.fetchOne(
            "SELECT withdrawn_at FROM \(withdrawalsTable) WHERE bulletin_id = $1", [.text(bulletin.bulletinId)]),
            try withdrawal.get("withdrawn_at", as: Int64.self) >= occurredAt
        {
            return  // withdrawn after this version was published
        }
        let consent = bulletin.consent
        try transaction.send(
            """
            INSERT INTO \(bulletinsTable) (
                bulletin_id, \(PersonOnRecord.columns), granted_at, expires_at, scope, baseline, key_contacts, occurred_at, event_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (bulletin_id) DO UPDATE SET \(PersonOnRecord.updatedColumns),
                granted_at = excluded.granted_at, expires_at = excluded.expires_at, scope = excluded.scope,
                baseline = excluded.baseline, key_contacts = excluded.key_contacts, occurred_at = excluded.occurred_at,
                event_id = excluded.event_id
            WHERE \(bulletinsTable).occurred_at < excluded.occurred_at
                OR (\(bulletinsTable).occurred_at = excluded.occurred_at AND \(bulletinsTable).event_id < excluded.event_id)
            """,
            [.text(bulletin.bulletinId)] + (try person.values())
                + [
                    .integer(ViewTime.start(of: consent.grantedOn)), .integer(ViewTime.start(of: consent.expiresOn)),
                    .text(consent.scope), try StoredColumn.json(bulletin.baseline), try StoredColumn.json(bulletin.keyContacts),
                    .integer(occurredAt), .text(eventId),
                ])
    }

    /// SQL true when the consent of the bulletin aliased `alias` is in force at the instant
    /// bound to `asOf`: from the start of its grant day to the end of its expiry day (UTC).
    func inForceCondition(_ alias: String, asOf: String) -> String {
        "\(alias).granted_at <= \(asOf) AND \(alias).expires_at + \(ViewTime.dayMilliseconds) > \(asOf)"
    }
}
