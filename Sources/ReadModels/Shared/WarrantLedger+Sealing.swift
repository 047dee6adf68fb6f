import ServiceKit
import Storage

extension WarrantLedger {
    /// Adds to `person` the numbers this ledger's records pair with the order's own, including
    /// those a view that sealed the shared ledger before found (``SharedLedgerSealing``).
    func addNumbers(pairedWith person: inout SealedPerson, in transaction: any StorageTransaction) throws {
        try SharedLedgerSealing.addNumbers(pairedIn: recordsTable, to: &person, transaction)
    }

    /// Removes the records `person`'s order covers and their resolutions.
    ///
    /// - `all_records`: every warrant and detainer naming the person (key or either number),
    ///   their resolutions, and every resolution filed under the person (one read before its
    ///   record, or whose record is filed under the other number).
    /// - `listed_cases`: the person's warrants whose `caseNumber` is listed, the person's
    ///   detainers resting on one of them (`warrantId`), and their resolutions. A resolution
    ///   read after the order about a removed warrant cannot be told apart (it names no case)
    ///   and is kept: it shows nothing without its record. Each removed warrant is remembered
    ///   with the person's numbers (the order's and the row's:
    ///   `SealingLedger.noteRemoved(warrant:stateIds:fbiNumbers:orderId:orderedAtMilliseconds:)`),
    ///   so that a detainer lodged on it before the order and read after it, naming the person
    ///   or no number, is not kept either (``apply(_:in:)``); another person's, on another
    ///   court's warrant of the same id, is.
    ///
    /// - Returns: the rows removed per table by this call, and the ids of the events that wrote
    ///   the records removed for this order in this transaction, by this view or by a view that
    ///   sealed the shared ledger before it (the notifications derived from them go too, where a
    ///   view keeps them).
    func seal(_ person: SealedPerson, in transaction: any StorageTransaction) throws -> (removed: SealingTally, eventIds: [String]) {
        var bindings = SQLBindings()
        var condition = person.condition("w", &bindings)
        if let cases = person.listedCases {
            let listed = bindings.list(cases)
            let listedAgain = bindings.list(cases)
            let warrantIsPersons = person.condition("v", &bindings)
            condition += """
                 AND ((\(isType(.warrant, "w")) AND w.case_number IN (\(listed)))
                    OR (\(isType(.detainer, "w")) AND w.warrant_id IN (
                        SELECT v.record_id FROM \(recordsTable) v
                        WHERE \(isType(.warrant, "v")) AND v.case_number IN (\(listedAgain)) AND \(warrantIsPersons))))
                """
        }
        let records = try transaction.fetchAll(
            """
            SELECT w.record_type, w.record_id, w.state_id, w.fbi_number, w.event_id FROM \(recordsTable) w
            WHERE \(condition) ORDER BY w.record_type, w.record_id
            """,
            bindings.values)
        var tally = SealingTally()
        var sealed = SharedLedgerSealing.recall(person.order, table: recordsTable, in: transaction.scratch)
        let ledger = SealingLedger(transaction)
        for record in records {
            let key: [SQLValue] = [.text(try record.get("record_type")), .text(try record.get("record_id"))]
            if person.listedCases != nil, try record.get("record_type", as: String.self) == RecordType.warrant.rawValue {
                try ledger.noteRemoved(
                    warrant: try record.get("record_id"),
                    stateIds: [person.order.stateId, try record.get("state_id", as: String?.self)],
                    fbiNumbers: [person.order.fbiNumber, try record.get("fbi_number", as: String?.self)],
                    orderId: person.order.orderId, orderedAtMilliseconds: person.order.orderedAtMilliseconds)
            }
            tally.add(
                try transaction.execute("DELETE FROM \(resolutionsTable) WHERE record_type = $1 AND record_id = $2", key),
                from: resolutionsTable)
            tally.add(try transaction.execute("DELETE FROM \(recordsTable) WHERE record_type = $1 AND record_id = $2", key), from: recordsTable)
            sealed.eventIds.insert(try record.get("event_id"))
        }
        if person.coversAllRecords {
            var bindings = SQLBindings()
            let filedUnder = person.keyCondition(nil, &bindings)
            tally.add(try transaction.execute("DELETE FROM \(resolutionsTable) WHERE \(filedUnder)", bindings.values), from: resolutionsTable)
        }
        sealed.remember(person.order, table: recordsTable, in: transaction.scratch)
        return (tally, sealed.eventIds.sorted())
    }
}
