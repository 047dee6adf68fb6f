import Contracts
import ServiceKit
import Storage

extension RouterStore {
    /// The cases with these ids (with their officer assignments), by case id: the cases the
    /// person index's links lead to.
    func cases(withIds caseIds: [String]) throws -> [SupervisionCase] {
        try caseIds.sorted().compactMap { try supervisionCase(id: $0) }
    }
}

extension RouterStore {
    /// The ids of the cases of a sealing order's person (matched on state ID or FBI number, as
    /// `RouterStore+Sealing` matches them), ascending: the cases whose records the person-link
    /// family forgets. Read before the router removes the cases themselves.
    func caseIds(of order: SealingOrder) throws -> [String] {
        try transaction.fetchAll(
            """
            SELECT case_id FROM router_cases
            WHERE (state_id IS NOT NULL AND state_id = $1) OR (fbi_number IS NOT NULL AND fbi_number = $2) ORDER BY case_id
            """, [.optional(order.stateId), .optional(order.fbiNumber)]
        ).map { try $0.get("case_id") }
    }
}
