import Contracts
import Storage
import ServiceKit

/// The person a stored notification is about, as the two tables that keep notifications
/// (`notifications_sent` of the router and the resolver, `inbox` of the inbox) record it for
/// sealing orders: a `subject_digest` column holding `SealingDigest.subject` of the
/// notification's `subjectStateId`, or of its `subjectFbiNumber` when it names no state ID (an
/// event of a version-2 contract that named the FBI number alone), never the number, indexed.
/// A notification about a person known by neither number (a release under a booking number
/// only) has none, and no order finds it by number: what names such a person are the services'
/// own records, which their sealing follows through the person index.
///
/// The SQL here runs on a table name given by the two stores, never on input.
enum NotificationSubject {
    /// The digest column's value for `notification`.
    static func digest(_ notification: BusNotification) -> SQLValue {
        digest(stateId: notification.subjectStateId, fbiNumber: notification.subjectFbiNumber)
    }

    static func digest(stateId: String?, fbiNumber: String? = nil) -> SQLValue {
        SealingDigest.subject(stateId: stateId, fbiNumber: fbiNumber).map(SQLValue.text) ?? .null
    }

    /// The inbox's second digest (`subject_fbi_digest`): of the FBI number `notification`
    /// matched, with or without a state ID, so an order naming the FBI number finds the state
    /// IDs it pairs with; null when it matched none.
    static func fbiDigest(_ notification: BusNotification) -> SQLValue {
        fbiDigest(notification.reason.matched.first { $0.name == BusNotification.fbiNumberIdentifier && !$0.value.isEmpty }?.value)
    }

    private static func fbiDigest(_ fbiNumber: String?) -> SQLValue {
        fbiNumber.map { .text(SealingDigest.fbiNumber($0)) } ?? .null
    }

    /// The step adding the column to `table`: the column, then each row's digest read from its
    /// body (``digest(ofBody:)``, in pages of `pageSize` rows by id), then a partial index. The
    /// body is parsed as JSON only: a row whose body is not a whole notification still names
    /// its subject. A body that is not JSON at all names nobody the step can read: the row
    /// keeps no digest (the services never wrote such bodies; `{}`-like placeholders exist only
    /// in migration tests).
    static func addDigestColumn(to table: String, index: String, pageSize: Int = 500, _ transaction: any StorageTransaction) throws {
        try transaction.executeScript("ALTER TABLE \(table) ADD COLUMN subject_digest TEXT")
        try rewrite(table, column: "subject_digest", pageSize: pageSize, from: digest(ofBody:), transaction)
        try transaction.executeScript("CREATE INDEX \(index) ON \(table) (subject_digest) WHERE subject_digest IS NOT NULL")
    }

    /// The digest column's value for a stored body: as ``digest(_:)`` reads a notification
    /// (the state ID, else the FBI number among what matched); null when it names neither or is
    /// not JSON.
    static func digest(ofBody body: [UInt8]) -> SQLValue {
        guard let document = document(body) else { return .null }
        var stateId: String?
        if case .string(let text)? = document["subjectStateId"] { stateId = text }
        return digest(stateId: stateId, fbiNumber: matchedFbiNumber(document))
    }

    /// ``fbiDigest(_:)`` of a stored body; null when it matched no FBI number or is not JSON.
    static func fbiDigest(ofBody body: [UInt8]) -> SQLValue {
        fbiDigest(document(body).flatMap(matchedFbiNumber))
    }

    /// The first FBI number among a body's `reason.matched`, if any.
    private static func matchedFbiNumber(_ document: JSONValue) -> String? {
        guard case .array(let matched)? = document["reason"]?["matched"] else { return nil }
        for identifier in matched {
            guard case .string(BusNotification.fbiNumberIdentifier)? = identifier["name"], case .string(let value)? = identifier["value"],
                  !value.isEmpty else { continue }
            return value
        }
        return nil
    }

    private static func document(_ body: [UInt8]) -> JSONValue? {
        do {
            return try JSONValue(parsing: body)
        } catch {
            return nil  // not JSON: names nobody (documented above)
        }
    }

    /// Removes from `table` the notifications about the person known by `stateIds` and
    /// `fbiNumbers` (filed under either: ``digest(_:)``): all of them when `derived` is nil,
    /// else those it accepts (each row read from `columns` by `read`); returns how many. A row
    /// of the person that cannot be read cannot be judged and is removed too: it is about the
    /// person, and nothing shows it is not of what the order seals.
    static func remove<Stored>(
        from table: String, about stateIds: Set<String>, fbiNumbers: Set<String> = [], columns: String,
        reading read: (StorageRow) throws -> Stored, derived: ((Stored) -> Bool)?, _ transaction: any StorageTransaction
    ) throws -> Int {
        var removed = 0
        for digest in SealingDigest.subjects(stateIds: stateIds, fbiNumbers: fbiNumbers).map(SQLValue.text) {
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

    /// Sets `column` of every row of `table` (those matching `condition`, SQL of the caller's,
    /// when given) from its body (`value`), in pages of `pageSize` rows by id; a body `value`
    /// cannot read leaves the column NULL.
    static func rewrite(
        _ table: String, column: String, where condition: String? = nil, pageSize: Int = 500, from value: ([UInt8]) throws -> SQLValue,
        _ transaction: any StorageTransaction
    ) throws {
        var after = ""
        let filter = condition.map { " AND (\($0))" } ?? ""
        while true {
            let rows = try transaction.fetchAll(
                "SELECT id, body FROM \(table) WHERE id > $1\(filter) ORDER BY id LIMIT $2", [.text(after), .integer(Int64(pageSize))])
            for row in rows {
                let id: String = try row.get("id")
                if let stored = try? value(try row.get("body", as: [UInt8].self)), stored != .null {
                    try transaction.send("UPDATE \(table) SET \(column) = $1 WHERE id = $2", [stored, .text(id)])
                }
                after = id
            }
            if rows.count < pageSize { break }
        }
    }
}
