import ServiceKit
import Storage

extension NoticeLedger {
    /// Removes the notifications a sealing order covers, after the records they derive from
    /// were removed.
    ///
    /// - `all_records`: those about the person (their state ID, their key) and those about a
    ///   removed release (by release id) or whose source event is a removed record's event.
    /// - `listed_cases`: those whose source event is a removed record's event (`eventIds`: the
    ///   removed warrants'), and the person's notices routed for a listed case (the router's,
    ///   for the supervision case an arrest or a new resident matched: their id derives from
    ///   the case, ``RoutedScope``), as the inbox removes them.
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
        if let cases = person.listedCases, !cases.isEmpty {
            var bindings = SQLBindings()
            var condition = person.keyCondition(nil, &bindings)
            if !person.stateIds.isEmpty { condition += " OR subject_state_id IN (\(bindings.list(person.stateIds)))" }
            let rows = try transaction.fetchAll(
                "SELECT notification_id, source_event_id, rule, recipient FROM \(table) WHERE \(condition)", bindings.values)
            for row in rows {
                let id: String = try row.get("notification_id")
                let (source, rule, recipient): (String, String, String) = (try row.get("source_event_id"), try row.get("rule"), try row.get("recipient"))
                guard cases.contains(where: { RoutedScope.isRouted(id: id, sourceEventId: source, rule: rule, scope: $0, recipient: recipient) })
                else { continue }
                tally.add(try transaction.execute("DELETE FROM \(table) WHERE notification_id = $1", [.text(id)]), from: table)
            }
        }
        for eventId in eventIds {
            tally.add(
                try transaction.execute("DELETE FROM \(table) WHERE source_event_id = $1", [.text(eventId.lowercased())]), from: table)
        }
        return tally
    }
}
