import ServiceKit
import Storage

extension CaseloadStore {
    /// The caseload's supervision cases: their starts and the facts reported about them.
    static let caseRows = SupervisionCaseRows(
        casesTable: "caseload_cases", casesKeepNumbers: true,
        factTables: ["caseload_case_ends", "caseload_officers", "caseload_addresses", "caseload_conditions"])

    /// Every table of the view, for sealing and tests.
    public var tables: [String] {
        Self.caseRows.tables + ["caseload_assessments", "caseload_flags", "caseload_incident_reports"] + Self.warrants.tables + Self.releases.tables
    }

    /// Removes what `order` covers (see ``ReadModelStore/seal(_:in:)``):
    ///
    /// - `all_records`: the person's cases with their officers, addresses (with the household
    ///   they list), conditions and ends; their assessments; every flag filed under them
    ///   (arrests, bookings, police contacts, incidents naming them); their warrants,
    ///   detainers and releases (``WarrantLedger``, ``ReleaseLedger``).
    /// - `listed_cases`: the listed supervision cases (case ids) of the person with their
    ///   facts, and their warrants of the listed court cases (case numbers) with the detainers
    ///   resting on them. Flags, assessments and releases belong to no case and stay.
    ///
    /// A police contact's flag keeps nothing of the person police met (`personContacted`): it
    /// is the subject's record, and stays when only that person is sealed.
    public func seal(_ order: SealingOrder, in transaction: any StorageTransaction) throws -> SealingTally {
        guard var person = SealedPerson(order) else { return SealingTally() }
        try person.addNumbers(
            pairedIn: ["caseload_cases", "caseload_assessments", "caseload_flags"], transaction)
        try Self.warrants.addNumbers(pairedWith: &person, in: transaction)
        try Self.releases.addNumbers(pairedWith: &person, in: transaction)
        var tally = try Self.caseRows.seal(person, in: transaction)
        if person.coversAllRecords {
            for table in ["caseload_assessments", "caseload_flags"] {
                var bindings = SQLBindings()
                let named = person.condition(nil, &bindings)
                tally.add(try transaction.execute("DELETE FROM \(table) WHERE \(named)", bindings.values), from: table)
            }
        }
        tally.merge(try Self.warrants.seal(person, in: transaction).removed)
        tally.merge(try Self.releases.seal(person, in: transaction).removed)
        person.notePaired(in: &tally)
        return tally
    }
}
