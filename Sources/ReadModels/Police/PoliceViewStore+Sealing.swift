import ServiceKit
import Storage

extension PoliceViewStore {
    /// Removes what `order` covers (see ``ReadModelStore/seal(_:in:)``):
    ///
    /// - `all_records`: the person's releases, supervision cases (with their addresses,
    ///   conditions, officers and ends), assessments, bulletins (with their withdrawals) and
    ///   warrants (with their resolutions).
    /// - `listed_cases`: the listed supervision cases (case ids) of the person with their
    ///   facts, and their warrants of the listed court cases (case numbers). Releases,
    ///   assessments and bulletins belong to no case and stay.
    public func seal(_ order: SealingOrder, in transaction: any StorageTransaction) throws -> SealingTally {
        guard var person = SealedPerson(order) else { return SealingTally() }
        try person.addNumbers(
            pairedIn: [caseLedger.casesTable, caseLedger.addressesTable, assessmentLedger.table] + bulletinLedger.tablesPairingNumbers,
            transaction)
        try releaseLedger.addNumbers(pairedWith: &person, in: transaction)
        try warrantLedger.addNumbers(pairedWith: &person, in: transaction)
        var tally = try caseLedger.rows.seal(person, in: transaction)
        tally.merge(try releaseLedger.seal(person, in: transaction).removed)
        tally.merge(try assessmentLedger.seal(person, in: transaction))
        tally.merge(try bulletinLedger.seal(person, in: transaction))
        tally.merge(try warrantLedger.seal(person, in: transaction).removed)
        person.notePaired(in: &tally)
        return tally
    }
}

extension CaseLedger {
    /// Its tables as a sealing order reaches them.
    var rows: SupervisionCaseRows {
        SupervisionCaseRows(
            casesTable: casesTable, casesKeepNumbers: true, factTables: [endsTable, addressesTable, conditionsTable, officersTable])
    }
}
