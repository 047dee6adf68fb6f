import Storage
import ServiceKit

/// What a sealing order removes from the router's own tables (`RouterProjection.seal(_:in:)`
/// says what it removes in all). The person is matched on state ID or FBI number, like every
/// read of the router.
extension RouterStore {
    /// The rows of the order's person, as SQL: `$1` its state ID, `$2` its FBI number.
    private static let person = "((state_id IS NOT NULL AND state_id = $1) OR (fbi_number IS NOT NULL AND fbi_number = $2))"

    private func personArguments(_ order: SealingOrder) -> [SQLValue] {
        [.optional(order.stateId), .optional(order.fbiNumber)]
    }

    /// The state IDs the router's cases and kept arrests of the order's person carry: a row
    /// matched by FBI number may carry one the order does not name, and the notifications about
    /// it are found by theirs.
    func stateIds(of order: SealingOrder) throws -> Set<String> {
        try transaction.personNumbers("state_id", in: ["router_cases", "router_arrests"], where: Self.person, personArguments(order))
    }

    /// The FBI numbers the router's cases and kept arrests of the order's person carry: an
    /// order naming the state ID alone is applied again with each (`RouterProjection.seal`),
    /// reaching what the router filed under the FBI number alone.
    func fbiNumbers(of order: SealingOrder) throws -> Set<String> {
        try transaction.personNumbers("fbi_number", in: ["router_cases", "router_arrests"], where: Self.person, personArguments(order))
    }

    /// Removes every case of the order's person with its officer assignments and addresses, and every kept
    /// arrest (`all_records`). The assignments go first, while their cases still say whose they
    /// are: left behind, they would hand a case sent again under the same id its sealed officers.
    func removePerson(_ order: SealingOrder) throws -> SealingTally {
        casesChanged()
        var tally = SealingTally()
        tally.add(
            try transaction.execute(
                "DELETE FROM router_officer_assignments WHERE case_id IN (SELECT case_id FROM router_cases WHERE \(Self.person))",
                personArguments(order)),
            from: "router_officer_assignments")
        tally.add(
            try transaction.execute(
                "DELETE FROM router_case_addresses WHERE case_id IN (SELECT case_id FROM router_cases WHERE \(Self.person))",
                personArguments(order)),
            from: "router_case_addresses")
        tally.add(try transaction.execute("DELETE FROM router_cases WHERE \(Self.person)", personArguments(order)), from: "router_cases")
        tally.add(try transaction.execute("DELETE FROM router_arrests WHERE \(Self.person)", personArguments(order)), from: "router_arrests")
        tally.add(
            try transaction.execute("DELETE FROM router_early_case_events WHERE \(Self.person)", personArguments(order)),
            from: "router_early_case_events")
        return tally
    }

    /// Removes the order's listed cases of its person with their officer assignments and addresses
    /// (`listed_cases`: a listed case id that is another person's case is not theirs to seal).
    /// Arrests belong to no case and stay.
    func removeListedCases(_ order: SealingOrder) throws -> SealingTally {
        casesChanged()
        var tally = SealingTally()
        for caseId in order.caseNumbers {
            tally.add(
                try transaction.execute(
                    """
                    DELETE FROM router_officer_assignments
                    WHERE case_id = $3 AND case_id IN (SELECT case_id FROM router_cases WHERE \(Self.person) AND case_id = $3)
                    """,
                    personArguments(order) + [.text(caseId)]),
                from: "router_officer_assignments")
            tally.add(
                try transaction.execute(
                    """
                    DELETE FROM router_case_addresses
                    WHERE case_id = $3 AND case_id IN (SELECT case_id FROM router_cases WHERE \(Self.person) AND case_id = $3)
                    """,
                    personArguments(order) + [.text(caseId)]),
                from: "router_case_addresses")
            tally.add(
                try transaction.execute("DELETE FROM router_cases WHERE \(Self.person) AND case_id = $3", personArguments(order) + [.text(caseId)]),
                from: "router_cases")
            tally.add(
                try transaction.execute(
                    "DELETE FROM router_early_case_events WHERE \(Self.person) AND case_id = $3", personArguments(order) + [.text(caseId)]),
                from: "router_early_case_events")
        }
        return tally
    }
}
