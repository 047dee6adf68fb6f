import ServiceKit
import Storage

extension ReleaseBoardStore {
    /// Removes what `order` covers (see ``ReadModelStore/seal(_:in:)``):
    ///
    /// - `all_records`: the person's releases, warrants and detainers (with their
    ///   resolutions), and the notifications about them: with their state ID, about a removed
    ///   release, or sourced from a removed record's event.
    /// - `listed_cases`: their warrants of the listed cases, the detainers resting on them,
    ///   and the notifications sourced from them. Releases belong to no case and stay.
    public func seal(_ order: SealingOrder, in transaction: any StorageTransaction) throws -> SealingTally {
        guard var person = SealedPerson(order) else { return SealingTally() }
        try warrants.addNumbers(pairedWith: &person, in: transaction)
        try releases.addNumbers(pairedWith: &person, in: transaction)
        let sealedWarrants = try warrants.seal(person, in: transaction)
        let sealedReleases = try releases.seal(person, in: transaction)
        var tally = sealedWarrants.removed
        tally.merge(sealedReleases.removed)
        tally.merge(try notices.seal(
            person, releaseIds: sealedReleases.releaseIds, eventIds: sealedWarrants.eventIds + sealedReleases.eventIds, in: transaction))
        person.notePaired(in: &tally)
        return tally
    }
}
