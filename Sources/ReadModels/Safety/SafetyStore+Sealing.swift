import Contracts
import ServiceKit
import Storage

extension SafetyStore {
    /// The view's supervision cases: their starts, ends, registered addresses and the
    /// households those list.
    static let caseRows = SupervisionCaseRows(
        casesTable: Table.cases, casesKeepNumbers: true, factTables: [Table.caseEnds, Table.addresses, Table.household])

    /// The tables that keep a person's numbers side by side (``SealedPerson/addNumbers(pairedIn:_:)``).
    static let tablesPairingNumbers = [Table.cases, Table.addresses, Table.incidentPeople, Table.investigationPeople]

    /// Removes what `order` covers (see ``ReadModelStore/seal(_:in:)``):
    ///
    /// - `all_records`: the person's cases, ends and registered addresses with the household
    ///   each lists (so the person is no longer a resident anywhere), and the person among the
    ///   victims and suspects of incidents and the persons of interest of investigations
    ///   (named by state ID or FBI number). Incidents and investigations stay for the others
    ///   they name and for their place.
    /// - `listed_cases`: the listed supervision cases (case ids) of the person, with their ends,
    ///   addresses and households. Incidents and investigations belong to no case and stay.
    ///
    /// People named by name alone (household members, and incident or investigation people
    /// by neither number) cannot be told to be the person by a number, and stay.
    public func seal(_ order: SealingOrder, in transaction: any StorageTransaction) throws -> SealingTally {
        guard var person = SealedPerson(order) else { return SealingTally() }
        try person.addNumbers(pairedIn: Self.tablesPairingNumbers, transaction)
        try addNumbers(pairedWith: &person, in: transaction)
        var tally = try Self.caseRows.seal(person, in: transaction)
        if person.coversAllRecords {
            for table in [Table.incidentPeople, Table.investigationPeople] {
                var bindings = SQLBindings()
                let filedUnder = person.condition(nil, &bindings)
                tally.add(try transaction.execute("DELETE FROM \(table) WHERE \(filedUnder)", bindings.values), from: table)
            }
        }
        person.notePaired(in: &tally)
        return tally
    }

    /// Adds the numbers the registered addresses' subjects pair with the order's, read from
    /// the `subject` JSON: address rows kept before `safety-v2` have only their key's number
    /// in the number columns, but both numbers there. The rows whose text holds one of the
    /// order's numbers are read, and their subjects decoded and compared.
    private func addNumbers(pairedWith person: inout SealedPerson, in transaction: any StorageTransaction) throws {
        let numbers = [person.order.stateId, person.order.fbiNumber].compactMap { $0 }
        for number in numbers {
            for row in try transaction.fetchAll(
                "SELECT subject FROM \(Table.addresses) WHERE subject LIKE $1 ESCAPE '!'", [.text("%\(Self.likeEscaped(number))%")])
            {
                guard let subject = try StoredColumn.optionalJSON(SubjectIdentifiers.self, "subject", in: row, table: Table.addresses),
                    person.order.names(stateId: subject.stateId, fbiNumber: subject.fbiNumber)
                else { continue }
                person.add(stateId: subject.stateId, fbiNumber: subject.fbiNumber)
            }
        }
    }

    /// `text` matched literally by `LIKE … ESCAPE '!'`.
    private static func likeEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "!" || character == "%" || character == "_" { escaped.append("!") }
            escaped.append(character)
        }
        return escaped
    }
}
