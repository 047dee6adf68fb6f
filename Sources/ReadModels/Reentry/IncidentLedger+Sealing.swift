import ServiceKit
import Storage

extension IncidentLedger {
    /// Removes, for an `all_records` order, the person from every incident that names them
    /// (`<prefix>_incident_people`, by key or either number). The incidents stay: a row of
    /// `<prefix>_incidents` holds no one's data (kind, time, report order) and keeps an older
    /// report read later from replacing the newer one's people. A `listed_cases` order removes
    /// nothing here: an incident belongs to no case.
    func seal(_ person: SealedPerson, in transaction: any StorageTransaction) throws -> SealingTally {
        var tally = SealingTally()
        guard person.coversAllRecords else { return tally }
        var bindings = SQLBindings()
        let filedUnder = person.condition(nil, &bindings)
        tally.add(try transaction.execute("DELETE FROM \(peopleTable) WHERE \(filedUnder)", bindings.values), from: peopleTable)
        return tally
    }
}
