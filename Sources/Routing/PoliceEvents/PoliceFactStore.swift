import Contracts
import Foundation
import ServiceKit
import Storage

/// The police-event family's tables (`PoliceEventRules`), the only SQL on them; each method is
/// one step of the batch transaction it is given, every value a bound parameter, the same SQL
/// on SQLite and PostgreSQL.
///
/// - `police_facts`: the kept facts (`PoliceFact`), one row per person an event names, until
///   their topic can no longer redeliver the event (`forget_after_ms`, event clock).
/// - `police_investigations`: each investigation's current state (`InvestigationState`), or,
///   once closed, only that it is closed (a tombstone, so a redelivered opened or updated event
///   routes nothing), forgotten a retention after its last event.
/// - `police_investigation_people`: the persons of interest an open investigation names now,
///   by person key (`sid:`, else `fbi:` — version 2 names people by the FBI number; an update
///   may replace the list).
/// - `police_investigation_receipts`: who was sent which notification about an open
///   investigation, so that its closure tells each of them to purge; removed at the closure.
struct PoliceFactStore {
    let transaction: any StorageTransaction

    init(_ transaction: any StorageTransaction) { self.transaction = transaction }

    /// Shipped steps are never edited: changes come as new ones.
    static let migrations: [StorageMigration] = [
        .script("police-events-v1", """
            CREATE TABLE police_facts (
                fact_id TEXT PRIMARY KEY NOT NULL,
                kind TEXT NOT NULL,
                event_id TEXT NOT NULL,
                state_id TEXT,
                fbi_number TEXT,
                investigation_id TEXT,
                occurred_at_ms BIGINT NOT NULL,
                fact BYTEA NOT NULL,
                forget_after_ms BIGINT
            );
            CREATE INDEX police_facts_by_state_id ON police_facts (state_id);
            CREATE INDEX police_facts_by_fbi ON police_facts (fbi_number);
            CREATE INDEX police_facts_by_investigation ON police_facts (investigation_id);
            CREATE INDEX police_facts_by_forget_time ON police_facts (forget_after_ms) WHERE forget_after_ms IS NOT NULL;
            CREATE TABLE police_investigations (
                investigation_id TEXT PRIMARY KEY NOT NULL,
                state BYTEA,
                closed BIGINT NOT NULL,
                forget_after_ms BIGINT
            );
            CREATE INDEX police_investigations_by_forget_time ON police_investigations (forget_after_ms) WHERE forget_after_ms IS NOT NULL;
            CREATE TABLE police_investigation_people (
                investigation_id TEXT NOT NULL,
                state_id TEXT NOT NULL,
                person BYTEA NOT NULL,
                PRIMARY KEY (investigation_id, state_id)
            );
            CREATE INDEX police_investigation_people_by_state_id ON police_investigation_people (state_id);
            CREATE TABLE police_investigation_receipts (
                notification_id TEXT PRIMARY KEY NOT NULL,
                investigation_id TEXT NOT NULL,
                recipient TEXT NOT NULL,
                recipient_agency_id TEXT,
                subject_state_id TEXT
            );
            CREATE INDEX police_investigation_receipts_by_investigation ON police_investigation_receipts (investigation_id);
            CREATE INDEX police_investigation_receipts_by_subject ON police_investigation_receipts (subject_state_id);
            """),
        // v2: version 2 of an investigation names a person of interest by the FBI number when it
        // has no state ID: the persons of interest kept by person key with both numbers (rows
        // before move under `sid:`), and the receipts name the FBI number their notification
        // was filed under, so that the closure's purge notice is filed under it too.
        .script("police-events-v2", """
            CREATE TABLE police_investigation_people_by_person (
                investigation_id TEXT NOT NULL,
                person_key TEXT NOT NULL,
                state_id TEXT,
                fbi_number TEXT,
                person BYTEA NOT NULL,
                PRIMARY KEY (investigation_id, person_key)
            );
            INSERT INTO police_investigation_people_by_person (investigation_id, person_key, state_id, fbi_number, person)
                SELECT investigation_id, 'sid:' || state_id, state_id, NULL, person FROM police_investigation_people;
            DROP TABLE police_investigation_people;
            ALTER TABLE police_investigation_people_by_person RENAME TO police_investigation_people;
            CREATE INDEX police_investigation_people_by_state_id ON police_investigation_people (state_id);
            CREATE INDEX police_investigation_people_by_fbi ON police_investigation_people (fbi_number);
            ALTER TABLE police_investigation_receipts ADD COLUMN subject_fbi_number TEXT;
            CREATE INDEX police_investigation_receipts_by_subject_fbi ON police_investigation_receipts (subject_fbi_number);
            """),
        // v3: a kept contact names the person police met (`personContacted`) by their own numbers,
        // so that a sealing order for that person finds the contact and rewrites it without
        // them; contacts kept before are read once to fill them in.
        StorageMigration("police-events-v3") { transaction in
            try transaction.executeScript("""
                ALTER TABLE police_facts ADD COLUMN contacted_state_id TEXT;
                ALTER TABLE police_facts ADD COLUMN contacted_fbi_number TEXT;
                CREATE INDEX police_facts_by_contacted_state_id ON police_facts (contacted_state_id);
                CREATE INDEX police_facts_by_contacted_fbi ON police_facts (contacted_fbi_number);
                """)
            for row in try transaction.fetchAll("SELECT fact_id, fact FROM police_facts WHERE kind = 'contact'", []) {
                let fact = try EventCodec.decodeJSON(PoliceFact.self, from: try row.get("fact", as: [UInt8].self))
                let contacted = fact.personContacted
                guard contacted?.stateId != nil || contacted?.fbiNumber != nil else { continue }
                try transaction.send(
                    "UPDATE police_facts SET contacted_state_id = $1, contacted_fbi_number = $2 WHERE fact_id = $3",
                    [.optional(contacted?.stateId), .optional(contacted?.fbiNumber), .text(try row.get("fact_id"))])
            }
        },
    ]

    // MARK: Facts

    /// Keeps `fact` (once per `factId`) until `forgetAfterMilliseconds` (nil: kept).
    func keep(_ fact: PoliceFact, factId: String, investigationId: String? = nil, forgetAfterMilliseconds: Int64?) throws {
        let person = fact.person
        try transaction.send(
            """
            INSERT INTO police_facts (
                fact_id, kind, event_id, state_id, fbi_number, investigation_id, occurred_at_ms, fact, forget_after_ms,
                contacted_state_id, contacted_fbi_number)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (fact_id) DO NOTHING
            """,
            [.text(factId), .text(fact.kind), .text(fact.sourceEventId), .optional(person.stateId), .optional(person.fbiNumber),
             .optional(investigationId), .integer(SealingOrder.milliseconds(fact.occurredAt)), .bytes(try EventCodec.encodeJSON(fact)),
             forgetAfterMilliseconds.map(SQLValue.integer) ?? .null,
             .optional(fact.personContacted?.stateId), .optional(fact.personContacted?.fbiNumber)])
    }

    /// The kept facts of the person `subject` names (same state ID or same FBI number), oldest
    /// first; those due to be forgotten before `nowMilliseconds` count as gone.
    func facts(about subject: SubjectIdentifiers?, nowMilliseconds: Int64?) throws -> [KeptPoliceFact] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        return try transaction.fetchAll(
            """
            SELECT fact, forget_after_ms FROM police_facts
            WHERE ((state_id IS NOT NULL AND state_id = $1) OR (fbi_number IS NOT NULL AND fbi_number = $2))
                AND (forget_after_ms IS NULL OR forget_after_ms >= $3)
            ORDER BY occurred_at_ms, fact_id
            """,
            [.optional(subject.stateId), .optional(subject.fbiNumber), .integer(nowMilliseconds ?? Int64.min)]
        ).map(Self.keptFact)
    }

    private static func keptFact(_ row: StorageRow) throws -> KeptPoliceFact {
        KeptPoliceFact(
            fact: try EventCodec.decodeJSON(PoliceFact.self, from: try row.get("fact", as: [UInt8].self)),
            forgetAfterMilliseconds: try row.get("forget_after_ms"))
    }

    /// Forgets at most `limit` facts and closed or silent investigations due before
    /// `nowMilliseconds` (soonest first).
    func forget(before nowMilliseconds: Int64, limit: Int) throws {
        try transaction.forgetDue("police_facts", key: "fact_id", before: nowMilliseconds, limit: limit)
        let due = try transaction.fetchAll(
            """
            SELECT investigation_id FROM police_investigations WHERE forget_after_ms IS NOT NULL AND forget_after_ms < $1
            ORDER BY forget_after_ms LIMIT $2
            """,
            [.integer(nowMilliseconds), .integer(Int64(limit))])
        for row in due {
            let id: String = try row.get("investigation_id")
            try transaction.send("DELETE FROM police_investigation_people WHERE investigation_id = $1", [.text(id)])
            try transaction.send("DELETE FROM police_investigations WHERE investigation_id = $1", [.text(id)])
        }
    }

    // MARK: Investigations

    /// What is known of an investigation: nil (never read, or forgotten), closed, or open with
    /// its state.
    func investigation(_ id: String) throws -> KnownInvestigation? {
        guard let row = try transaction.fetchOne(
            "SELECT state, closed FROM police_investigations WHERE investigation_id = $1", [.text(id)]) else { return nil }
        if try row.get("closed", as: Int64.self) != 0 { return .closed }
        guard let state = try row.get("state", as: [UInt8]?.self) else { return .closed }
        return .open(try EventCodec.decodeJSON(InvestigationState.self, from: state))
    }

    /// Records an open investigation's state, until `forgetAfterMilliseconds`.
    func saveInvestigation(_ id: String, state: InvestigationState, forgetAfterMilliseconds: Int64?) throws {
        try transaction.send(
            """
            INSERT INTO police_investigations (investigation_id, state, closed, forget_after_ms) VALUES ($1, $2, 0, $3)
            ON CONFLICT (investigation_id) DO UPDATE SET state = excluded.state, closed = 0, forget_after_ms = excluded.forget_after_ms
            """,
            [.text(id), .bytes(try EventCodec.encodeJSON(state)), forgetAfterMilliseconds.map(SQLValue.integer) ?? .null])
    }

    /// The persons of interest an open investigation names now, by person key.
    func personsOfInterest(of id: String) throws -> [InvolvedPerson] {
        try transaction.fetchAll(
            "SELECT person FROM police_investigation_people WHERE investigation_id = $1 ORDER BY person_key", [.text(id)]
        ).map { try EventCodec.decodeJSON(InvolvedPerson.self, from: try $0.get("person", as: [UInt8].self)) }
    }

    /// Replaces the persons of interest of an investigation (those named by neither a state ID
    /// nor an FBI number are not kept).
    func replacePersonsOfInterest(of id: String, with people: [InvolvedPerson]) throws {
        try transaction.send("DELETE FROM police_investigation_people WHERE investigation_id = $1", [.text(id)])
        for person in people {
            guard let personKey = SuperviseeIncident.personKey(person) else { continue }
            try transaction.send(
                """
                INSERT INTO police_investigation_people (investigation_id, person_key, state_id, fbi_number, person) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (investigation_id, person_key) DO UPDATE SET
                    state_id = excluded.state_id, fbi_number = excluded.fbi_number, person = excluded.person
                """,
                [.text(id), .text(personKey), .optional(person.stateId), .optional(person.fbiNumber), .bytes(try EventCodec.encodeJSON(person))])
        }
    }

    /// Notes that `notification` about investigation `id` was sent (once per notification id).
    func recordReceipt(of notification: InvestigationReceipt) throws {
        try transaction.send(
            """
            INSERT INTO police_investigation_receipts
                (notification_id, investigation_id, recipient, recipient_agency_id, subject_state_id, subject_fbi_number)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (notification_id) DO NOTHING
            """,
            [.text(notification.notificationId), .text(notification.investigationId), .text(notification.recipient),
             .optional(notification.recipientAgencyId), .optional(notification.subjectStateId), .optional(notification.subjectFbiNumber)])
    }

    /// Who was sent what about investigation `id`, by recipient then notification id.
    func receipts(of id: String) throws -> [InvestigationReceipt] {
        try transaction.fetchAll(
            """
            SELECT notification_id, investigation_id, recipient, recipient_agency_id, subject_state_id, subject_fbi_number
            FROM police_investigation_receipts WHERE investigation_id = $1 ORDER BY recipient, notification_id
            """,
            [.text(id)]
        ).map { row in
            InvestigationReceipt(
                notificationId: try row.get("notification_id"), investigationId: try row.get("investigation_id"),
                recipient: try row.get("recipient"), recipientAgencyId: try row.get("recipient_agency_id"),
                subjectStateId: try row.get("subject_state_id"), subjectFbiNumber: try row.get("subject_fbi_number"))
        }
    }

    /// Closes investigation `id`: purges everything kept about it (its state, persons of
    /// interest, facts and receipts) and keeps only that it is closed, until
    /// `forgetAfterMilliseconds` (by then no earlier event of it can be redelivered).
    func close(_ id: String, forgetAfterMilliseconds: Int64?) throws {
        try transaction.send("DELETE FROM police_facts WHERE investigation_id = $1", [.text(id)])
        try transaction.send("DELETE FROM police_investigation_people WHERE investigation_id = $1", [.text(id)])
        try transaction.send("DELETE FROM police_investigation_receipts WHERE investigation_id = $1", [.text(id)])
        try transaction.send(
            """
            INSERT INTO police_investigations (investigation_id, state, closed, forget_after_ms) VALUES ($1, NULL, 1, $2)
            ON CONFLICT (investigation_id) DO UPDATE SET state = NULL, closed = 1, forget_after_ms = excluded.forget_after_ms
            """,
            [.text(id), forgetAfterMilliseconds.map(SQLValue.integer) ?? .null])
    }

    // MARK: Sealing

    /// Removes every row about the person `order` names (`all_records`): their kept facts (by
    /// state ID or FBI number, and by `stateIds`, the other state IDs the router's rows of the
    /// person carry: an order naming an FBI number alone still finds an incident naming a state
    /// ID), their place among an investigation's persons of interest, and the receipts of
    /// notifications about them. A `listed_cases` order leaves them: police facts belong to no
    /// supervision case. A contact with someone else that names the person as the one police
    /// met (`personContacted`) is the other person's record: it stays, rewritten without them
    /// (counted under `police_facts.person_contacted`).
    func seal(_ order: SealingOrder, stateIds: Set<String>) throws -> SealingTally {
        var tally = SealingTally()
        guard order.scope == .allRecords, order.stateId != nil || order.fbiNumber != nil else { return tally }
        var stateIds = stateIds
        if let stateId = order.stateId { stateIds.insert(stateId) }
        tally.add(try forgetContacted(stateIds: stateIds, fbiNumber: order.fbiNumber), from: "police_facts.person_contacted")
        if let fbi = order.fbiNumber {
            tally.add(try transaction.execute("DELETE FROM police_facts WHERE fbi_number = $1", [.text(fbi)]), from: "police_facts")
            tally.add(
                try transaction.execute("DELETE FROM police_investigation_people WHERE fbi_number = $1", [.text(fbi)]),
                from: "police_investigation_people")
            tally.add(
                try transaction.execute("DELETE FROM police_investigation_receipts WHERE subject_fbi_number = $1", [.text(fbi)]),
                from: "police_investigation_receipts")
        }
        for stateId in stateIds.sorted() {
            tally.add(try transaction.execute("DELETE FROM police_facts WHERE state_id = $1", [.text(stateId)]), from: "police_facts")
            tally.add(
                try transaction.execute("DELETE FROM police_investigation_people WHERE state_id = $1", [.text(stateId)]),
                from: "police_investigation_people")
            tally.add(
                try transaction.execute("DELETE FROM police_investigation_receipts WHERE subject_state_id = $1", [.text(stateId)]),
                from: "police_investigation_receipts")
        }
        return tally
    }
}

extension PoliceFactStore {
    /// Rewrites each kept contact whose person met has one of `stateIds` or `fbiNumber`
    /// without that person; returns how many.
    fileprivate func forgetContacted(stateIds: Set<String>, fbiNumber: String?) throws -> Int {
        var rows: [StorageRow] = []
        for stateId in stateIds.sorted() {
            rows += try transaction.fetchAll("SELECT fact_id, fact FROM police_facts WHERE contacted_state_id = $1", [.text(stateId)])
        }
        if let fbiNumber {
            rows += try transaction.fetchAll("SELECT fact_id, fact FROM police_facts WHERE contacted_fbi_number = $1", [.text(fbiNumber)])
        }
        var rewritten: Set<String> = []
        for row in rows {
            let factId: String = try row.get("fact_id")
            guard rewritten.insert(factId).inserted,
                  case .contact(var contact) = try EventCodec.decodeJSON(PoliceFact.self, from: try row.get("fact", as: [UInt8].self))
            else { continue }
            contact.payload.personContacted = nil
            try transaction.send(
                "UPDATE police_facts SET fact = $1, contacted_state_id = NULL, contacted_fbi_number = NULL WHERE fact_id = $2",
                [.bytes(try EventCodec.encodeJSON(PoliceFact.contact(contact))), .text(factId)])
        }
        return rewritten.count
    }
}

/// A kept fact and when it may be forgotten (event clock; nil: kept).
struct KeptPoliceFact: Sendable {
    var fact: PoliceFact
    var forgetAfterMilliseconds: Int64?
}

/// An investigation as the router knows it.
enum KnownInvestigation: Sendable, Hashable {
    case open(InvestigationState)
    /// Closed: what was kept about it is purged.
    case closed
}

/// One notification sent about an open investigation: what its closure asks the recipient to
/// purge.
struct InvestigationReceipt: Sendable, Hashable {
    var notificationId: String
    var investigationId: String
    /// `kind:id`.
    var recipient: String
    var recipientAgencyId: String?
    var subjectStateId: String?
    /// The FBI number the notification was filed under (a person of interest named by it alone).
    var subjectFbiNumber: String? = nil
}
