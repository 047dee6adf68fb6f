import Contracts

/// The key the router's rule families keep a person under when a row may name them by either
/// number: `sid:<state ID>`, else `fbi:<FBI number>` (the views' `PersonKey` and the subject
/// keys of version-2 events use the same prefixes). Empty numbers count as missing.
enum PersonNumberKey {
    /// Nil when both numbers are missing or empty.
    static func of(stateId: String?, fbiNumber: String?) -> String? {
        if let stateId = nonEmpty(stateId) { return "sid:\(stateId)" }
        if let fbiNumber = nonEmpty(fbiNumber) { return "fbi:\(fbiNumber)" }
        return nil
    }

    static func of(_ person: InvolvedPerson) -> String? { of(stateId: person.stateId, fbiNumber: person.fbiNumber) }

    static func nonEmpty(_ number: String?) -> String? {
        guard let number, !number.isEmpty else { return nil }
        return number
    }
}
