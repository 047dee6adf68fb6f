import Foundation
import PersonIndex
import Storage

/// One operation's view of the store: its transaction, its time, and the small reads and
/// counters the operations share.
struct Session {
    let transaction: any StorageTransaction
    let at: Date
    /// The records read in this session, parsed and prepared once: a record is a candidate of
    /// many, and its person's records are read again for each rule. Records never change
    /// under an id within a transaction (other contents are refused), so nothing goes stale.
    private let prepared = PreparedRecords()
    /// The name counts read in this session (`nameCounts`), kept in step with its own changes.
    let nameCountCache = NameCountCache()

    /// The store's records prepared by earlier operations, when the operation may use them.
    private let shared: PreparedRecordCache?

    init(transaction: any StorageTransaction, at: Date, preparedRecords: PreparedRecordCache? = nil) {
        self.transaction = transaction
        self.at = at
        shared = preparedRecords
    }

    /// The session's parsed records, by id (one operation's, on one thread: no lock). Emptied
    /// when it reaches `limit` records, so that one `persons index` of a large file does not
    /// hold every record it touched in memory.
    private final class PreparedRecords {
        var byId: [String: PreparedRecord] = [:]
        static let limit = 200_000
    }

    var atMilliseconds: Int64 { Int64((at.timeIntervalSince1970 * 1_000).rounded()) }

    /// The next value of a counter (events, records, decisions), counted in this transaction.
    func next(_ counter: String) throws -> Int64 {
        try transaction.fetchOne("UPDATE person_index_counters SET value = value + 1 WHERE name = $1 RETURNING value", [.text(counter)])?
            .get("value", as: Int64.self) ?? 0
    }

    /// A new event of `kind` about `personId`, its id from the next event number.
    func event(_ kind: IdentityEvent.Kind, personId: String) throws -> IdentityEvent {
        IdentityEvent(kind: kind, sequence: try next("events"), personId: personId, at: at)
    }

    func record(_ recordId: String) throws -> PersonRecord {
        try prepared(recordId).record
    }

    /// A stored record, parsed and prepared for comparison once in this session (or taken from
    /// the store's records prepared before, by its stored text).
    func prepared(_ recordId: String) throws -> PreparedRecord {
        if let known = prepared.byId[recordId] { return known }
        guard let row = try transaction.fetchOne("SELECT record_json FROM person_index_records WHERE record_id = $1", [.text(recordId)]) else {
            throw PersonIndexStoreError(.unknownRecord(recordId))
        }
        return try keep(try row.get("record_json", as: String.self), as: recordId)
    }

    /// Reads the stored records of `recordIds` not prepared in this session yet, a chunk of up
    /// to ``MultiRowStatement/largestChunk`` a query (one round trip on PostgreSQL instead of
    /// one a record), and prepares them as
    /// ``prepared(_:)`` would. Ids of no stored record are left for `prepared` to refuse.
    func prepare(_ recordIds: [String]) throws {
        let missing = recordIds.filter { prepared.byId[$0] == nil }
        for chunk in MultiRowStatement.paddedChunks(of: missing) {
            for row in try transaction.fetchAll(Self.storedRecords.sql(rows: chunk.count), chunk.map { .text($0) }) {
                try keep(try row.get("record_json", as: String.self), as: try row.get("record_id", as: String.self))
            }
        }
    }

    /// Stored records by id, a chunk of ids at a time.
    private static let storedRecords = MultiRowStatement(
        "SELECT record_id, record_json FROM person_index_records WHERE record_id IN (", row: { "$\($0)" }, parametersPerRow: 1, ")")

    /// Prepares a stored record's text (or takes it from the store's records prepared before)
    /// and keeps it in this session.
    @discardableResult
    private func keep(_ json: String, as recordId: String) throws -> PreparedRecord {
        let record: PreparedRecord
        if let known = shared?.prepared(storedAs: json) {
            record = known
        } else {
            record = PreparedRecord(try Self.parse(json, recordId: recordId))
            shared?.keep(record, storedAs: json)
        }
        if prepared.byId.count >= PreparedRecords.limit { prepared.byId.removeAll(keepingCapacity: true) }
        prepared.byId[recordId] = record
        return record
    }

    /// A stored record's JSON line, parsed (not prepared, not kept).
    static func parse(_ json: String, recordId: String) throws -> PersonRecord {
        do {
            return try PersonRecordReader.parse(line: Data(json.utf8), number: 1)
        } catch {
            throw PersonIndexStoreError(.unreadableRecord(recordId))
        }
    }

    func source(of recordId: String) throws -> String? {
        try transaction.fetchOne("SELECT source FROM person_index_records WHERE record_id = $1", [.text(recordId)])?.get("source", as: String.self)
    }

    /// The record ids of a person, ascending.
    func members(_ personId: String) throws -> [String] {
        try transaction.fetchAll("SELECT record_id FROM person_index_records WHERE person_id = $1 ORDER BY record_id", [.text(personId)])
            .map { try $0.get("record_id", as: String.self) }
    }

    /// A pair, one record in each person, whose latest human decision is `distinct` (but not
    /// `excluding`, a pair being decided anew), or nil.
    func distinctPairBetween(_ first: String, _ second: String, excluding: (String, String)? = nil) throws -> (String, String)? {
        guard first != second else { return nil }
        let rows = try transaction.fetchAll(
            """
            SELECT p.a AS a, p.b AS b FROM person_index_pair_decisions p
            JOIN person_index_records ra ON ra.record_id = p.a
            JOIN person_index_records rb ON rb.record_id = p.b
            WHERE p.decision = 'distinct'
              AND ((ra.person_id = $1 AND rb.person_id = $2) OR (ra.person_id = $2 AND rb.person_id = $1))
            ORDER BY p.a, p.b
            """, [.text(first), .text(second)])
        for row in rows {
            let pair = (try row.get("a", as: String.self), try row.get("b", as: String.self))
            if let excluding, pair == excluding { continue }
            return pair
        }
        return nil
    }

    /// Whether either person was joined through a model link made unless the persons' sexes
    /// disagree (`person-index-v8`) that no reviewer has since confirmed by joining them: the
    /// link the store may have to doubt when a record of the other sex comes later. Both
    /// records of a link within a person are that person's, so one side is enough.
    func joinedUnlessSexesDisagree(_ first: String, _ second: String) throws -> Bool {
        try transaction.fetchOne(
            """
            SELECT 1 AS one FROM person_index_links l JOIN person_index_records r ON r.record_id = l.a
            WHERE r.person_id IN ($1, $2) AND l.unless_sexes_disagree = 1
            LIMIT 1
            """, [.text(first), .text(second)]) != nil
    }

    /// The links among a person's records: (a, b, what decided, score).
    func links(within personId: String) throws -> [(a: String, b: String, source: String, score: Double)] {
        try transaction.fetchAll(
            """
            SELECT l.a AS a, l.b AS b, l.decided_by AS decided_by, l.score AS score FROM person_index_links l
            JOIN person_index_records ra ON ra.record_id = l.a
            JOIN person_index_records rb ON rb.record_id = l.b
            WHERE ra.person_id = $1 AND rb.person_id = $1
            ORDER BY l.a, l.b
            """, [.text(personId)]
        ).map { (try $0.get("a", as: String.self), try $0.get("b", as: String.self), try $0.get("decided_by", as: String.self), try $0.get("score", as: Double.self)) }
    }

    /// The pairs within a person whose latest human decision is `distinct`.
    func distinctPairs(within personId: String) throws -> [(String, String)] {
        try transaction.fetchAll(
            """
            SELECT p.a AS a, p.b AS b FROM person_index_pair_decisions p
            JOIN person_index_records ra ON ra.record_id = p.a
            JOIN person_index_records rb ON rb.record_id = p.b
            WHERE p.decision = 'distinct' AND ra.person_id = $1 AND rb.person_id = $1
            ORDER BY p.a, p.b
            """, [.text(personId)]
        ).map { (try $0.get("a", as: String.self), try $0.get("b", as: String.self)) }
    }
}
