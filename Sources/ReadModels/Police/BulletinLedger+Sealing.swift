import ServiceKit
import Storage

extension BulletinLedger {
    /// The tables that keep a person's numbers side by side (``SealedPerson/addNumbers(pairedIn:_:)``).
    var tablesPairingNumbers: [String] { [bulletinsTable] }

    /// Removes, for an `all_records` order, the person's bulletins and the withdrawals of
    /// their bulletins (those filed under them, and those of a removed bulletin). Without the
    /// withdrawal, a version published before it and read after the order is still not kept:
    /// the order covers it. A `listed_cases` order removes nothing here: a bulletin belongs to
    /// no case.
    func seal(_ person: SealedPerson, in transaction: any StorageTransaction) throws -> SealingTally {
        var tally = SealingTally()
        guard person.coversAllRecords else { return tally }
        var bindings = SQLBindings()
        let filedUnder = person.keyCondition(nil, &bindings)
        let ofBulletin = "bulletin_id IN (SELECT b.bulletin_id FROM \(bulletinsTable) b WHERE \(person.condition("b", &bindings)))"
        tally.add(
            try transaction.execute("DELETE FROM \(withdrawalsTable) WHERE \(filedUnder) OR \(ofBulletin)", bindings.values),
            from: withdrawalsTable)
        bindings = SQLBindings()
        let named = person.condition(nil, &bindings)
        tally.add(try transaction.execute("DELETE FROM \(bulletinsTable) WHERE \(named)", bindings.values), from: bulletinsTable)
        return tally
    }
}
