import ServiceKit
import Storage

extension NoticeLedger {
    /// Removes the notifications a sealing order covers, after the records they derive from
    /// were removed.
    ///
    /// - `all_records`: those about the person (their state ID, their key) and those about a
    ///   removed release (by release id) or whose source event is a removed record's event.
    /// - `listed_cases`: those whose source event is a removed record's event (`eventIds`: the
    ///   removed warrants'); a notification names no case, so no other can be told to be of one.
    func seal(
        _ person: SealedPerson, releaseIds: [String], eventIds: [String], in transaction: any StorageTransaction
    ) throws -> SealingTally {
        var tally = SealingTally()
        if person.coversAllRecords {
            var bindings = SQLBindings()
            var condition = person.keyCondition(nil, &bindings)
            if !person.stateIds.isEmpty { condition += " OR subject_state_id IN (\(bindings.list(person.stateIds)))" }
            tally.add(try transaction.execute("DELETE FROM \(table) WHERE \(condition)", bindings.values), from: table)
            for releaseId in releaseIds {
                tally.add(try transaction.execute("DELETE FROM \(table) WHERE release_id = $1", [.text(releaseId)]), from: table)
            }
        }
        for eventId in eventIds {
            tally.add(
                try transaction.execute("DELETE FROM \(table) WHERE source_event_id = $1", [.text(eventId.lowercased())]), from: table)
        }
        return tally
    }
}
