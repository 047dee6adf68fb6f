import ServiceKit
import Storage

extension HighNeedsStore {
    /// Removes what `order` covers (see ``ReadModelStore/seal(_:in:)``): under `all_records`
    /// the person's releases and assessments (with their needs) and their mentions in
    /// incidents; a `listed_cases` order removes nothing here (releases, assessments and
    /// incidents belong to no case).
    public func seal(_ order: SealingOrder, in transaction: any StorageTransaction) throws -> SealingTally {
        guard var person = SealedPerson(order) else { return SealingTally() }
        try person.addNumbers(pairedIn: [assessmentLedger.table, incidentLedger.peopleTable], transaction)
        try releaseLedger.addNumbers(pairedWith: &person, in: transaction)
        var tally = try releaseLedger.seal(person, in: transaction).removed
        tally.merge(try assessmentLedger.seal(person, in: transaction))
        tally.merge(try incidentLedger.seal(person, in: transaction))
        person.notePaired(in: &tally)
        return tally
    }
}
