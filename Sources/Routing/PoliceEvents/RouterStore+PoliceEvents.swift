import Contracts
import Storage

/// A read of the router's cases the police-event family needs (an extension in its own folder:
/// the base store stays as the lead left it).
extension RouterStore {
    /// The case `caseId`, if the router holds it.
    func supervisionCase(id caseId: String) throws -> SupervisionCase? {
        guard let supervision = try transaction.fetchOne(
            "SELECT \(Self.caseColumns) FROM router_cases WHERE case_id = $1", [.text(caseId)]).map(Self.supervisionCase)
        else { return nil }
        return try withAssignments([supervision]).first
    }
}
