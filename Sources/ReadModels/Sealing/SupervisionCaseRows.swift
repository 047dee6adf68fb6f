import ServiceKit
import Storage

/// A view's tables of supervision cases (`supervision.cases`), as a sealing order reaches them:
/// the case's start (`casesTable`, one row per `case_id`) and the facts reported about the case
/// (`factTables`: ends, addresses, conditions, officers, household), each row with its `case_id`
/// and the `person_key` of the event that reported it.
///
/// - `all_records`: every case of the person, and every fact filed under the person or about
///   one of their cases (a fact read before its case, filed under the other number, goes too).
/// - `listed_cases`: the listed cases (supervision case ids) of the person and their facts;
///   their other cases stay. A case is the person's when its start names them; a listed case
///   whose start was not read yet loses the facts filed under the person.
struct SupervisionCaseRows: Sendable {
    let casesTable: String
    /// Whether `casesTable` keeps the numbers (`state_id`, `fbi_number`) beside `person_key`.
    let casesKeepNumbers: Bool
    let factTables: [String]

    var tables: [String] { [casesTable] + factTables }

    /// Removes what `person`'s order covers; the facts first, while their cases still say whose
    /// they are.
    func seal(_ person: SealedPerson, in transaction: any StorageTransaction) throws -> SealingTally {
        var tally = SealingTally()
        for table in factTables {
            // Two statements rather than one with OR: each can use its index (person, case).
            var bindings = SQLBindings()
            let ofPerson = person.keyCondition(nil, &bindings)
            var scope = person.listedCases.map { " AND case_id IN (\(bindings.list($0)))" } ?? ""
            tally.add(try transaction.execute("DELETE FROM \(table) WHERE \(ofPerson)\(scope)", bindings.values), from: table)
            bindings = SQLBindings()
            let ofPersonsCase = "case_id IN (SELECT c.case_id FROM \(casesTable) c WHERE \(caseCondition(person, "c", &bindings)))"
            scope = person.listedCases.map { " AND case_id IN (\(bindings.list($0)))" } ?? ""
            tally.add(try transaction.execute("DELETE FROM \(table) WHERE \(ofPersonsCase)\(scope)", bindings.values), from: table)
        }
        var bindings = SQLBindings()
        let condition = caseCondition(person, nil, &bindings)
        let scope = person.listedCases.map { " AND case_id IN (\(bindings.list($0)))" } ?? ""
        tally.add(try transaction.execute("DELETE FROM \(casesTable) WHERE \(condition)\(scope)", bindings.values), from: casesTable)
        return tally
    }

    private func caseCondition(_ person: SealedPerson, _ alias: String?, _ bindings: inout SQLBindings) -> String {
        casesKeepNumbers ? person.condition(alias, &bindings) : person.keyCondition(alias, &bindings)
    }
}
