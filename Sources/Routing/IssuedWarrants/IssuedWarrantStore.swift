import Contracts
import Foundation
import Storage
import ServiceKit

/// A warrant as the issuing-court rules keep it: whose, issued by whom and when, and when it
/// stopped being active (served, recalled or quashed), as far as read.
struct IssuedWarrant: Sendable, Hashable {
    var warrantId: String
    var subject: SubjectIdentifiers?
    var issuingAgencyId: String
    var warrantKind: String
    var issuedOn: String
    /// The id of the issue event: the source of the notifications about the warrant's person.
    var issuedEventId: String
    /// Midnight UTC of the issue day (ms since 1970).
    var activeFromMilliseconds: Int64
    /// When it was served (its time) or recalled or quashed (midnight UTC of the day); nil while active.
    var resolvedMilliseconds: Int64?

    /// Whether the warrant was active at `milliseconds`.
    func isActive(at milliseconds: Int64) -> Bool {
        activeFromMilliseconds <= milliseconds && resolvedMilliseconds.map { milliseconds < $0 } ?? true
    }
}

/// The issuing-court rules' database: the warrants read (`issued_warrants`), each kept while
/// active and `IssuedWarrantRules.resolvedRetention` after its resolution (event clock). Every
/// value a bound parameter; the same SQL on SQLite and PostgreSQL.
struct IssuedWarrantStore {
    let transaction: any StorageTransaction

    init(_ transaction: any StorageTransaction) { self.transaction = transaction }

    /// Shipped steps are never edited: changes come as new ones.
    static let migrations: [StorageMigration] = [
        .script("issued-warrants-v1", """
            CREATE TABLE issued_warrants (
                warrant_id TEXT PRIMARY KEY NOT NULL,
                state_id TEXT,
                fbi_number TEXT,
                subject BYTEA NOT NULL,
                issuing_agency_id TEXT NOT NULL,
                warrant_kind TEXT NOT NULL,
                issued_on TEXT NOT NULL,
                issued_event_id TEXT NOT NULL,
                active_from_ms BIGINT NOT NULL,
                resolved_ms BIGINT,
                forget_after_ms BIGINT
            );
            CREATE INDEX issued_warrants_by_state_id ON issued_warrants (state_id);
            CREATE INDEX issued_warrants_by_fbi ON issued_warrants (fbi_number);
            CREATE INDEX issued_warrants_by_forget_time ON issued_warrants (forget_after_ms);
            """),
    ]

    static let person = "((state_id IS NOT NULL AND state_id = $1) OR (fbi_number IS NOT NULL AND fbi_number = $2))"
    private static let columns = """
        warrant_id, subject, issuing_agency_id, warrant_kind, issued_on, issued_event_id, active_from_ms, resolved_ms
        """

    /// Records an issued warrant (a re-sent issue leaves a resolution read before as it was).
    func issue(_ warrant: IssuedWarrant) throws {
        try transaction.send(
            """
            INSERT INTO issued_warrants (warrant_id, state_id, fbi_number, subject, issuing_agency_id, warrant_kind, issued_on,
                issued_event_id, active_from_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (warrant_id) DO NOTHING
            """,
            [.text(warrant.warrantId), .optional(warrant.subject?.stateId), .optional(warrant.subject?.fbiNumber),
             .bytes(try EventCodec.encodeJSON(warrant.subject)), .text(warrant.issuingAgencyId), .text(warrant.warrantKind),
             .text(warrant.issuedOn), .text(warrant.issuedEventId), .integer(warrant.activeFromMilliseconds)])
    }

    /// Records the warrant's resolution at `milliseconds` (the earliest, if read twice), to be
    /// forgotten after `forgetAfterMilliseconds`.
    func resolve(_ warrantId: String, at milliseconds: Int64, forgetAfterMilliseconds: Int64?) throws {
        try transaction.send(
            """
            UPDATE issued_warrants SET resolved_ms = CASE WHEN resolved_ms IS NULL OR resolved_ms > $2 THEN $2 ELSE resolved_ms END,
                forget_after_ms = $3
            WHERE warrant_id = $1
            """,
            [.text(warrantId), .integer(milliseconds), forgetAfterMilliseconds.map(SQLValue.integer) ?? .null])
    }

    func warrant(_ warrantId: String) throws -> IssuedWarrant? {
        try transaction.fetchOne("SELECT \(Self.columns) FROM issued_warrants WHERE warrant_id = $1", [.text(warrantId)]).map(Self.warrant(row:))
    }

    /// The warrants of the person `subject` names, by warrant id.
    func warrants(of subject: SubjectIdentifiers?) throws -> [IssuedWarrant] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        return try transaction.fetchAll(
            "SELECT \(Self.columns) FROM issued_warrants WHERE \(Self.person) ORDER BY warrant_id",
            [.optional(subject.stateId), .optional(subject.fbiNumber)]
        ).map(Self.warrant(row:))
    }

    private static func warrant(row: StorageRow) throws -> IssuedWarrant {
        IssuedWarrant(
            warrantId: try row.get("warrant_id"),
            subject: try EventCodec.decodeJSON(SubjectIdentifiers?.self, from: try row.get("subject", as: [UInt8].self)),
            issuingAgencyId: try row.get("issuing_agency_id"), warrantKind: try row.get("warrant_kind"), issuedOn: try row.get("issued_on"),
            issuedEventId: try row.get("issued_event_id"), activeFromMilliseconds: try row.get("active_from_ms"),
            resolvedMilliseconds: try row.get("resolved_ms"))
    }

    /// Forgets at most `limit` resolved warrants due before `nowMilliseconds`.
    func forget(before nowMilliseconds: Int64, limit: Int) throws {
        try transaction.forgetDue("issued_warrants", key: "warrant_id", before: nowMilliseconds, limit: limit)
    }

    /// Removes every warrant of the order's person (`all_records`).
    func removePerson(_ order: SealingOrder) throws -> SealingTally {
        var tally = SealingTally()
        tally.add(try transaction.execute("DELETE FROM issued_warrants WHERE \(Self.person)", [.optional(order.stateId), .optional(order.fbiNumber)]),
                  from: "issued_warrants")
        return tally
    }
}
