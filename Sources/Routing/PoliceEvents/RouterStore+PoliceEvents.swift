import Contracts
import Storage

/// A read of the router's cases the police-event family needs (an extension in its own folder:
/// the base store stays as the lead left it).
extension RouterStore {
    /// The case `caseId`, if the router holds it.
    func supervisionCase(id caseId: String) throws -> SupervisionCase? {
        try rememberedCase(id: caseId) { try cases(where: "c.case_id = $1", [.text(caseId)]).first }
    }
}
