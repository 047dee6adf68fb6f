import Contracts
import Storage
import ServiceKit

/// The person a stored notification is about, as the two tables that keep notifications
/// (`notifications_sent` of the router and the resolver, `inbox` of the inbox) record it for
/// sealing orders: a `subject_digest` column holding `SealingDigest.stateId` of the
/// notification's `subjectStateId` (never the number), indexed. Every person-keyed topic
/// requires a state ID (and `records.sealing` is keyed by it), so every notification the
/// services route carries one; a row without (written by hand, or whose body was not JSON when
/// the column was added) has none and no order finds it.
///
/// The SQL here runs on a table name given by the two stores, never on input.
enum NotificationSubject {
    /// The digest column's value for `notification`.
    static func digest(_ notification: BusNotification) -> SQLValue {
        digest(stateId: notification.subjectStateId)
    }

    static func digest(stateId: String?) -> SQLValue {
        guard let stateId, !stateId.isEmpty else { return .null }
        return .text(SealingDigest.stateId(stateId))
    }

    /// The step adding the column to `table`: the column, then each row's digest read from its
    /// body (`subjectStateId`, in pages of `pageSize` rows by id), then a partial index. The
    /// body is parsed as JSON only: a row whose body is not a whole notification still names
    /// its subject. A body that is not JSON at all names nobody the step can read: the row
    /// keeps no digest (the services never wrote such bodies; `{}`-like placeholders exist only
    /// in migration tests).
    static func addDigestColumn(to table: String, index: String, pageSize: Int = 500, _ transaction: any StorageTransaction) throws {
        try transaction.executeScript("ALTER TABLE \(table) ADD COLUMN subject_digest TEXT")
        try rewrite(table, column: "subject_digest", pageSize: pageSize, from: { body in digest(stateId: subjectStateId(in: body)) }, transaction)
        try transaction.executeScript("CREATE INDEX \(index) ON \(table) (subject_digest) WHERE subject_digest IS NOT NULL")
    }

    /// `subjectStateId` of a stored body; nil when it has none or is not JSON (see
    /// ``addDigestColumn(to:index:pageSize:_:)``).
    static func subjectStateId(in body: [UInt8]) -> String? {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: body)
        } catch {
            return nil  // not JSON: names nobody (documented above)
        }
        guard case .string(let stateId)? = document["subjectStateId"] else { return nil }
        return stateId
    }

    /// Removes from `table` the notifications about the person known by `stateIds`: all of
    /// them when `derived` is nil, else those it accepts (each row read from `columns` by
    /// `read`); returns how many. A row of the person that cannot be read cannot be judged and
    /// is removed too: it is about the person, and nothing shows it is not of what the order
    /// seals.
    static func remove<Stored>(
        from table: String, about stateIds: Set<String>, columns: String, reading read: (StorageRow) throws -> Stored,
        derived: ((Stored) -> Bool)?, _ transaction: any StorageTransaction
    ) throws -> Int {
        var removed = 0
        for stateId in stateIds.sorted() {
            let digest = digest(stateId: stateId)
            guard digest != .null else { continue }
            guard let derived else {
                removed += try transaction.execute("DELETE FROM \(table) WHERE subject_digest = $1", [digest])
                continue
            }
            for row in try transaction.fetchAll("SELECT \(columns) FROM \(table) WHERE subject_digest = $1 ORDER BY id", [digest]) {
                let id: String = try row.get("id")
                let covered: Bool
                do {
                    covered = derived(try read(row))
                } catch {
                    covered = true  // unreadable: removed (documented above)
                }
                if covered { removed += try transaction.execute("DELETE FROM \(table) WHERE id = $1", [.text(id)]) }
            }
        }
        return removed
    }

    /// Sets `column` of every row of `table` from its body (`value`), in pages of `pageSize`
    /// rows by id; a body `value` cannot read leaves the column NULL.
    static func rewrite(
        _ table: String, column: String, pageSize: Int = 500, from value: ([UInt8]) throws -> SQLValue, _ transaction: any StorageTransaction
    ) throws {
        var after = ""
        while true {
            let rows = try transaction.fetchAll(
                "SELECT id, body FROM \(table) WHERE id > $1 ORDER BY id LIMIT $2", [.text(after), .integer(Int64(pageSize))])
            for row in rows {
                let id: String = try row.get("id")
                if let stored = try? value(try row.get("body", as: [UInt8].self)), stored != .null {
                    try transaction.execute("UPDATE \(table) SET \(column) = $1 WHERE id = $2", [stored, .text(id)])
                }
                after = id
            }
            if rows.count < pageSize { break }
        }
    }
}
