import ServiceKit
import Storage

extension AssessmentLedger {
    /// Removes, for an `all_records` order, every assessment filed under the person or naming
    /// one of their numbers. A
    /// `listed_cases` order removes nothing here: an assessment belongs to no case.
    func seal(_ person: SealedPerson, in transaction: any StorageTransaction) throws -> SealingTally {
        var tally = SealingTally()
        guard person.coversAllRecords else { return tally }
        var bindings = SQLBindings()
        let filedUnder = person.condition(nil, &bindings)
        tally.add(try transaction.execute("DELETE FROM \(table) WHERE \(filedUnder)", bindings.values), from: table)
        return tally
    }
}
