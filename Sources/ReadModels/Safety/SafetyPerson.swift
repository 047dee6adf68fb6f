import Contracts
import Foundation
import Storage

/// How the safety check keys and recognises people.
///
/// A supervisee is keyed as in every view (``PersonKey``), so a sealing pass finds their rows.
/// A person an incident or investigation names has a state ID, an FBI number (an incident of
/// version 2), both or neither, and a name: they are keyed by state ID, else FBI number, and
/// their rows keep both numbers. Household members have only a name. So people are recognised
/// by state ID where both sides have one, else by FBI number where both have one, and otherwise
/// by a name key (the given name's first word and the family name, case, accents and
/// punctuation folded), which ``isNamed(_:as:)`` never uses against a different number or date
/// of birth.
enum SafetyPerson {
    /// The `person_key`, `state_id` and `fbi_number` of a person an incident or investigation
    /// names (``PersonOnRecord/identifierColumns``): keyed by state ID, else FBI number; all
    /// NULL when they give neither (a name is no key).
    static func identifierValues(_ person: InvolvedPerson) -> [SQLValue] {
        PersonOnRecord(involved: person)?.identifierValues ?? [.null, .null, .null]
    }

    /// `DARNELL REYES` for Darnell J. Reyes; nil without both a given and a family name
    /// ("Unknown" alone names nobody in particular).
    static func nameKey(_ name: PersonName?) -> String? {
        guard let name, let given = words(name.given ?? "").first else { return nil }
        let family = words(name.family)
        guard !family.isEmpty else { return nil }
        return ([given] + family).joined(separator: " ")
    }

    private static func words(_ text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).uppercased()
        return folded.split { !($0.isLetter || $0 == "'" || $0 == "\u{2019}") }
            .map { String($0.filter(\.isLetter)) }
            .filter { !$0.isEmpty }
    }

    /// How `person`, named in an incident or investigation, is the resident `resident`, or nil
    /// when they cannot be told to be the same: by state ID when both have one (a different
    /// one is someone else, whatever the name), else by FBI number when both have one (the
    /// same rule), else by name key, unless their dates of birth differ.
    static func isNamed(_ person: InvolvedPerson, as resident: SafetyResident) -> SafetyMatchBasis? {
        if let stateId = PersonKey.nonEmpty(person.stateId), let residentId = PersonKey.nonEmpty(resident.stateId) {
            return stateId == residentId ? .stateId : nil
        }
        if let fbiNumber = PersonKey.nonEmpty(person.fbiNumber), let residentNumber = PersonKey.nonEmpty(resident.fbiNumber) {
            return fbiNumber == residentNumber ? .fbiNumber : nil
        }
        guard let key = nameKey(person.name), key == nameKey(resident.name) else { return nil }
        if let born = person.dateOfBirth, let residentBorn = resident.dateOfBirth, born != residentBorn { return nil }
        return .name
    }
}
