import Contracts
import Foundation
import Storage
import ServiceKit

/// The resident rules' database: every registered address of each case with the day it took
/// effect (`residents_addresses`, so an event is placed at the address of its own day whichever
/// topic was read first), and the warrant events kept for cases and address changes read later
/// (`residents_warrant_events`). Each method is one step of the batch transaction it is given;
/// every value a bound parameter; the same SQL on SQLite and PostgreSQL.
///
/// Addresses are reference state like the cases (kept until a sealing order removes them);
/// warrant events are forgotten `ResidentRules.warrantEventRetention` after their Kafka
/// timestamp, on the event clock (`forget_after_ms`).
struct ResidentStore {
    let transaction: any StorageTransaction

    init(_ transaction: any StorageTransaction) { self.transaction = transaction }

    /// Shipped steps are never edited: changes come as new ones.
    static let migrations: [StorageMigration] = [
        .script("residents-v1", """
            CREATE TABLE residents_addresses (
                case_id TEXT NOT NULL,
                event_id TEXT NOT NULL,
                state_id TEXT,
                fbi_number TEXT,
                effective_day TEXT NOT NULL,
                address BYTEA NOT NULL,
                PRIMARY KEY (case_id, event_id)
            );
            CREATE INDEX residents_addresses_by_day ON residents_addresses (case_id, effective_day);
            CREATE INDEX residents_addresses_by_state_id ON residents_addresses (state_id);
            CREATE INDEX residents_addresses_by_fbi ON residents_addresses (fbi_number);
            CREATE TABLE residents_warrant_events (
                event_id TEXT PRIMARY KEY NOT NULL,
                state_id TEXT,
                fbi_number TEXT,
                warrant_id TEXT,
                kind TEXT NOT NULL,
                fact BYTEA NOT NULL,
                forget_after_ms BIGINT
            );
            CREATE INDEX residents_warrant_events_by_state_id ON residents_warrant_events (state_id);
            CREATE INDEX residents_warrant_events_by_fbi ON residents_warrant_events (fbi_number);
            CREATE INDEX residents_warrant_events_by_warrant ON residents_warrant_events (warrant_id, kind);
            CREATE INDEX residents_warrant_events_by_forget_time ON residents_warrant_events (forget_after_ms);
            """),
    ]

    /// The rows of a person: `$1` state ID, `$2` FBI number.
    static let person = "((state_id IS NOT NULL AND state_id = $1) OR (fbi_number IS NOT NULL AND fbi_number = $2))"

    // MARK: Addresses

    /// Records that `address` is the case's registered address from `day` (once per event).
    func recordAddress(_ address: Address, caseId: String, from day: String, eventId: String, subject: SubjectIdentifiers?) throws {
        try transaction.send(
            """
            INSERT INTO residents_addresses (case_id, event_id, state_id, fbi_number, effective_day, address)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (case_id, event_id) DO NOTHING
            """,
            [.text(caseId), .text(eventId), .optional(subject?.stateId), .optional(subject?.fbiNumber), .text(day),
             .bytes(try EventCodec.encodeJSON(address))])
    }

    /// The case's registered address on `day`: the latest that took effect on or before it (of
    /// one day's, the greatest event id: the same whichever was read first); nil when none had.
    func address(of caseId: String, on day: String) throws -> Address? {
        try transaction.fetchOne(
            """
            SELECT address FROM residents_addresses WHERE case_id = $1 AND effective_day <= $2
            ORDER BY effective_day DESC, event_id DESC LIMIT 1
            """,
            [.text(caseId), .text(day)]
        ).map { try EventCodec.decodeJSON(Address.self, from: try $0.get("address", as: [UInt8].self)) }
    }

    /// The case's registered address on `day`, not counting the one event `eventId` recorded:
    /// where the supervisee lived before that change.
    func address(of caseId: String, on day: String, excluding eventId: String) throws -> Address? {
        try transaction.fetchOne(
            """
            SELECT address FROM residents_addresses WHERE case_id = $1 AND effective_day <= $2 AND event_id <> $3
            ORDER BY effective_day DESC, event_id DESC LIMIT 1
            """,
            [.text(caseId), .text(day), .text(eventId)]
        ).map { try EventCodec.decodeJSON(Address.self, from: try $0.get("address", as: [UInt8].self)) }
    }

    /// Whether any address of the case is recorded here (a case stored before these rules
    /// existed has none: its current address stands for every day).
    func hasAddresses(_ caseId: String) throws -> Bool {
        try transaction.fetchOne("SELECT 1 AS found FROM residents_addresses WHERE case_id = $1 LIMIT 1", [.text(caseId)]) != nil
    }

    // MARK: Warrant events

    /// Keeps a warrant event's fact, once per event id.
    func keep(_ fact: WarrantFact, forgetAfterMilliseconds: Int64?) throws {
        try transaction.send(
            """
            INSERT INTO residents_warrant_events (event_id, state_id, fbi_number, warrant_id, kind, fact, forget_after_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING
            """,
            [.text(fact.eventId), .optional(fact.subject?.stateId), .optional(fact.subject?.fbiNumber), .optional(fact.warrantId),
             .text(fact.kind.rawValue), .bytes(try EventCodec.encodeJSON(fact)), forgetAfterMilliseconds.map(SQLValue.integer) ?? .null])
    }

    /// The kept fact of a warrant's issue, if read (and not yet forgotten).
    func issued(_ warrantId: String) throws -> WarrantFact? {
        try transaction.fetchOne(
            "SELECT fact FROM residents_warrant_events WHERE warrant_id = $1 AND kind = 'issued' ORDER BY event_id LIMIT 1",
            [.text(warrantId)]
        ).map(Self.fact(row:))
    }

    /// The kept warrant events of the person `subject` names, by event id, with when each may
    /// be forgotten; those already due at `nowMilliseconds` count as gone.
    func facts(of subject: SubjectIdentifiers?, nowMilliseconds: Int64?) throws -> [(WarrantFact, Int64?)] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        return try transaction.fetchAll(
            """
            SELECT fact, forget_after_ms FROM residents_warrant_events
            WHERE \(Self.person) AND (forget_after_ms IS NULL OR forget_after_ms >= $3) ORDER BY event_id
            """,
            [.optional(subject.stateId), .optional(subject.fbiNumber), .integer(nowMilliseconds ?? Int64.min)]
        ).map { row in (try Self.fact(row: row), try row.get("forget_after_ms", as: Int64?.self)) }
    }

    private static func fact(row: StorageRow) throws -> WarrantFact {
        try EventCodec.decodeJSON(WarrantFact.self, from: try row.get("fact", as: [UInt8].self))
    }

    // MARK: Forgetting and sealing

    /// Forgets at most `limit` warrant events due before `nowMilliseconds`.
    func forget(before nowMilliseconds: Int64, limit: Int) throws {
        try transaction.forgetDue("residents_warrant_events", key: "event_id", before: nowMilliseconds, limit: limit)
    }

    /// Removes every address and warrant event of the order's person (`all_records`).
    func removePerson(_ order: SealingOrder) throws -> SealingTally {
        var tally = SealingTally()
        for table in ["residents_addresses", "residents_warrant_events"] {
            tally.add(try transaction.execute("DELETE FROM \(table) WHERE \(Self.person)", [.optional(order.stateId), .optional(order.fbiNumber)]), from: table)
        }
        return tally
    }

    /// Removes the addresses of the order's listed cases of its person (`listed_cases`);
    /// warrant events belong to no case and stay.
    func removeListedCases(_ order: SealingOrder) throws -> SealingTally {
        var tally = SealingTally()
        for caseId in order.caseNumbers {
            tally.add(try transaction.execute(
                "DELETE FROM residents_addresses WHERE \(Self.person) AND case_id = $3",
                [.optional(order.stateId), .optional(order.fbiNumber), .text(caseId)]), from: "residents_addresses")
        }
        return tally
    }
}
