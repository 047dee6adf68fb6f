import Contracts
import ServiceKit
import Storage

/// The person a view row is about, as the views key them: `sid:<state id>` when the event
/// has a state ID, else `fbi:<FBI number>`. Every row holding personal data carries this key
/// (and its source record's id), so a sealing pass can find everything about a person.
///
/// Rows also keep both numbers, because agencies know different ones: a query joins facts to
/// a case when either the state IDs or the FBI numbers are equal (as the router matches).
struct KeyedPerson: Sendable, Hashable {
    /// `sid:…` or `fbi:…`.
    var key: String
    var stateId: String?
    var fbiNumber: String?
    var name: PersonName?

    /// The reason a person-keyed event without either number is refused.
    static let missingIdentifiers = "subject.stateId and subject.fbiNumber are both missing"

    /// The event's subject; an event naming nobody by state ID or FBI number cannot be kept
    /// against a person, so it is a poison message.
    init(subject: SubjectIdentifiers?) throws(PoisonMessage) {
        let stateId = subject?.stateId.flatMap { $0.isEmpty ? nil : $0 }
        let fbiNumber = subject?.fbiNumber.flatMap { $0.isEmpty ? nil : $0 }
        if let stateId {
            key = "sid:\(stateId)"
        } else if let fbiNumber {
            key = "fbi:\(fbiNumber)"
        } else {
            throw PoisonMessage(reason: Self.missingIdentifiers)
        }
        self.stateId = stateId
        self.fbiNumber = fbiNumber
        name = subject?.name
    }

    /// A person an incident names in its payload: only a state ID identifies them there
    /// (`involvedPerson` has no FBI number); nil when the incident does not know it.
    init?(involved person: InvolvedPerson) {
        guard let stateId = person.stateId, !stateId.isEmpty else { return nil }
        key = "sid:\(stateId)"
        self.stateId = stateId
        fbiNumber = nil
        name = person.name
    }

    /// `person_key, state_id, fbi_number`, in that order.
    var identifierValues: [SQLValue] { [.text(key), stateId.sqlValue, fbiNumber.sqlValue] }

    /// `name_given, name_middle, name_family, name_suffix`, in that order.
    var nameValues: [SQLValue] {
        [name?.given.sqlValue ?? .null, name?.middle.sqlValue ?? .null, name.map { .text($0.family) } ?? .null, name?.suffix.sqlValue ?? .null]
    }

    /// The name kept in a row's `name_*` columns (nil when no family name was kept).
    static func name(in row: StorageRow) throws(StorageError) -> PersonName? {
        guard let family = try row.get("name_family", as: String?.self) else { return nil }
        return PersonName(
            given: try row.get("name_given", as: String?.self), middle: try row.get("name_middle", as: String?.self),
            family: family, suffix: try row.get("name_suffix", as: String?.self))
    }
}
