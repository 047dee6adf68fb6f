import Contracts
import Storage

extension RouterStore {
    /// The cases with these ids (with their officer assignments), by case id: the cases the
    /// person index's links lead to.
    func cases(withIds caseIds: [String]) throws -> [SupervisionCase] {
        var cases: [SupervisionCase] = []
        for id in caseIds.sorted() {
            cases += try transaction.fetchAll("SELECT \(Self.caseColumns) FROM router_cases WHERE case_id = $1", [.text(id)]).map(Self.supervisionCase)
        }
        return try withAssignments(cases)
    }
}
