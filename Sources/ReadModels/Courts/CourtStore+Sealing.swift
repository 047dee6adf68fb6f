import ServiceKit
import Storage

extension CourtStore {
    /// Every table of the view, for sealing and tests.
    public var tables: [String] { Self.warrants.tables + Self.releases.tables }

    /// Removes what `order` covers (see ``ReadModelStore/seal(_:in:)``): under `all_records`
    /// the person's warrants with their resolutions and their releases; under `listed_cases`
    /// their warrants of the listed cases (releases belong to no case and stay).
    public func seal(_ order: SealingOrder, in transaction: any StorageTransaction) throws -> SealingTally {
        guard var person = SealedPerson(order) else { return SealingTally() }
        try Self.warrants.addNumbers(pairedWith: &person, in: transaction)
        try Self.releases.addNumbers(pairedWith: &person, in: transaction)
        var tally = try Self.warrants.seal(person, in: transaction).removed
        tally.merge(try Self.releases.seal(person, in: transaction).removed)
        person.notePaired(in: &tally)
        return tally
    }
}
