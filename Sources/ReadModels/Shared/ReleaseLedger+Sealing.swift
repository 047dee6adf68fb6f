import Contracts
import ServiceKit
import Storage

extension ReleaseLedger {
    /// Adds to `person` the numbers this ledger's history pairs with the order's own, including
    /// those a view that sealed the shared ledger before found (``SharedLedgerSealing``).
    func addNumbers(pairedWith person: inout SealedPerson, in transaction: any StorageTransaction) throws {
        try SharedLedgerSealing.addNumbers(pairedIn: releasesTable, to: &person, transaction)
    }

    /// Removes, for an `all_records` order, every release of the person: its stored events
    /// and its folded history. A release is the person's when one of its events is filed under
    /// them, when its history names them by either number (merged over its events), or, for a
    /// release with no history yet (only a change or a cancellation read), when a stored
    /// event's subject names them (read from its body only when the order names the person by
    /// one number: see the comment inside). A `listed_cases` order removes nothing here: a release
    /// belongs to no court or supervision case.
    ///
    /// - Returns: the rows removed per table by this call, and the release ids and their event
    ///   ids removed for this order in this transaction, by this view or by a view that sealed
    ///   the shared ledger before it (the notifications derived from them go too, where a view
    ///   keeps them).
    func seal(
        _ person: SealedPerson, in transaction: any StorageTransaction
    ) throws -> (removed: SealingTally, releaseIds: [String], eventIds: [String]) {
        guard person.coversAllRecords else { return (SealingTally(), [], []) }
        var releaseIds = Set<String>()
        var bindings = SQLBindings()
        let filedUnder = person.keyCondition(nil, &bindings)
        for row in try transaction.fetchAll("SELECT DISTINCT release_id FROM \(eventsTable) WHERE \(filedUnder)", bindings.values) {
            releaseIds.insert(try row.get("release_id"))
        }
        bindings = SQLBindings()
        let named = person.condition(nil, &bindings)
        for row in try transaction.fetchAll("SELECT DISTINCT release_id FROM \(releasesTable) WHERE \(named)", bindings.values) {
            releaseIds.insert(try row.get("release_id"))
        }
        // An event is filed under its subject's state ID when it has one, else the FBI number:
        // when the order names both, an event naming the person is filed under one of them.
        // When it names one, an event of a release with no history may be filed under the
        // other, which only its body says (a scan of such events, for such orders only).
        let orderNamesBothNumbers = person.order.stateId != nil && person.order.fbiNumber != nil
        let unfolded = try orderNamesBothNumbers ? [] : transaction.fetchAll(
            """
            SELECT e.release_id, e.event_type, e.body FROM \(eventsTable) e
            WHERE NOT EXISTS (SELECT 1 FROM \(releasesTable) r WHERE r.release_id = e.release_id)
            """)
        for row in unfolded {
            let event = try ReleaseEvent(
                storedType: try row.get("event_type", as: String.self), body: try row.get("body", as: [UInt8].self), table: eventsTable)
            if person.isNamed(stateId: event.subject?.stateId, fbiNumber: event.subject?.fbiNumber) {
                releaseIds.insert(try row.get("release_id"))
            }
        }

        var tally = SealingTally()
        var sealed = SharedLedgerSealing.recall(person.order, table: releasesTable, in: transaction.scratch)
        for releaseId in releaseIds.sorted() {
            let id: [SQLValue] = [.text(releaseId)]
            for row in try transaction.fetchAll("SELECT event_id FROM \(eventsTable) WHERE release_id = $1 ORDER BY event_id", id) {
                sealed.eventIds.insert(try row.get("event_id"))
            }
            tally.add(try transaction.execute("DELETE FROM \(eventsTable) WHERE release_id = $1", id), from: eventsTable)
            tally.add(try transaction.execute("DELETE FROM \(releasesTable) WHERE release_id = $1", id), from: releasesTable)
            sealed.recordIds.insert(releaseId)
        }
        sealed.remember(person.order, table: releasesTable, in: transaction.scratch)
        return (tally, sealed.recordIds.sorted(), sealed.eventIds.sorted())
    }
}
