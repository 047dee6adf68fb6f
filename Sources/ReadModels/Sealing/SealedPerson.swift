import ServiceKit
import Storage

/// The person a sealing order names, as a view finds their rows: every key they are filed
/// under (``PersonKey``) and every number that identifies them.
///
/// The order names the person by state ID, FBI number or both. A view files a person under
/// `sid:<state id>` when the event gave one, else `fbi:<FBI number>`, and joins facts to a
/// person when either number is equal (as the router and the warrant resolver match). So the
/// person is the order's numbers and the numbers the view's rows pair with them: a row with the
/// order's FBI number and a state ID files the person under that state ID too. That is one
/// step, as a query joins, not a closure over chains of numbers (which would reach people
/// merely sharing a number with someone who shares one with the person).
struct SealedPerson {
    let order: SealingOrder
    /// The state IDs and FBI numbers, sorted and without repeats.
    private(set) var stateIds: [String] = []
    private(set) var fbiNumbers: [String] = []

    /// The person `order` names; nil when it names nobody by either number, or lists no case
    /// under `listed_cases` (it then covers nothing a view keeps).
    init?(_ order: SealingOrder) {
        self.order = order
        add(stateId: order.stateId, fbiNumber: order.fbiNumber)
        guard !stateIds.isEmpty || !fbiNumbers.isEmpty else { return nil }
        guard order.scope == .allRecords || !order.caseNumbers.isEmpty else { return nil }
    }

    /// The keys the person may be filed under: `sid:…` for each state ID, `fbi:…` for each
    /// FBI number (never empty: an order names someone).
    var keys: [String] {
        stateIds.map { PersonKey(stateId: $0).value } + fbiNumbers.map { PersonKey(fbiNumber: $0).value }
    }

    /// Whether the order covers every record of the person (else only its listed cases).
    var coversAllRecords: Bool { order.scope == .allRecords }

    /// The listed cases of a `listed_cases` order; nil for `all_records`.
    var listedCases: [String]? { coversAllRecords ? nil : order.caseNumbers }

    /// Adds the numbers that rows of `tables` (each with `state_id` and `fbi_number` columns)
    /// pair with the order's own numbers.
    mutating func addNumbers(pairedIn tables: [String], _ transaction: any StorageTransaction) throws {
        for (stateId, fbiNumber) in try numbersPaired(in: tables, transaction) { add(stateId: stateId, fbiNumber: fbiNumber) }
    }

    /// The numbers side by side in rows of `tables` that keep one of the order's own numbers.
    func numbersPaired(in tables: [String], _ transaction: any StorageTransaction) throws -> [(stateId: String?, fbiNumber: String?)] {
        guard let named = SealedPerson(order) else { return [] }
        var pairs: [(stateId: String?, fbiNumber: String?)] = []
        for table in tables {
            var bindings = SQLBindings()
            let condition = named.numbersCondition(nil, &bindings)
            for row in try transaction.fetchAll(
                "SELECT DISTINCT state_id, fbi_number FROM \(table) WHERE \(condition)", bindings.values)
            {
                pairs.append((try row.get("state_id"), try row.get("fbi_number")))
            }
        }
        return pairs
    }

    /// Adds a person's numbers (empty ones are not numbers).
    mutating func add(stateId: String?, fbiNumber: String?) {
        if let stateId = PersonKey.nonEmpty(stateId), !stateIds.contains(stateId) {
            stateIds = (stateIds + [stateId]).sorted()
        }
        if let fbiNumber = PersonKey.nonEmpty(fbiNumber), !fbiNumbers.contains(fbiNumber) {
            fbiNumbers = (fbiNumbers + [fbiNumber]).sorted()
        }
    }

    /// Notes the numbers found beside the order's own in `tally`, so the runtime covers late
    /// records naming the person by any of them (`SealingTally.notePaired`).
    func notePaired(in tally: inout SealingTally) {
        for stateId in stateIds where stateId != order.stateId { tally.notePaired(stateId: stateId, fbiNumber: nil) }
        for fbiNumber in fbiNumbers where fbiNumber != order.fbiNumber { tally.notePaired(stateId: nil, fbiNumber: fbiNumber) }
    }

    /// Whether someone known by these numbers is the person.
    func isNamed(stateId: String?, fbiNumber: String?) -> Bool {
        if let stateId = PersonKey.nonEmpty(stateId), stateIds.contains(stateId) { return true }
        if let fbiNumber = PersonKey.nonEmpty(fbiNumber), fbiNumbers.contains(fbiNumber) { return true }
        return false
    }

    // MARK: SQL

    /// SQL true for a row (aliased `alias`, or unqualified when nil) filed under one of the
    /// person's keys (`person_key`).
    func keyCondition(_ alias: String?, _ bindings: inout SQLBindings) -> String {
        "\(Self.column("person_key", alias)) IN (\(bindings.list(keys)))"
    }

    /// SQL true for a row filed under one of the person's keys or keeping one of their numbers
    /// (`person_key`, `state_id`, `fbi_number`).
    func condition(_ alias: String?, _ bindings: inout SQLBindings) -> String {
        "(\(keyCondition(alias, &bindings)) OR \(numbersCondition(alias, &bindings)))"
    }

    /// SQL true for a row keeping one of the person's numbers (`state_id`, `fbi_number`).
    func numbersCondition(_ alias: String?, _ bindings: inout SQLBindings) -> String {
        var parts: [String] = []
        if !stateIds.isEmpty { parts.append("\(Self.column("state_id", alias)) IN (\(bindings.list(stateIds)))") }
        if !fbiNumbers.isEmpty { parts.append("\(Self.column("fbi_number", alias)) IN (\(bindings.list(fbiNumbers)))") }
        return "(\(parts.joined(separator: " OR ")))"
    }

    private static func column(_ name: String, _ alias: String?) -> String {
        alias.map { "\($0).\(name)" } ?? name
    }
}
