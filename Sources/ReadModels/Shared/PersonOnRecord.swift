import Contracts
import ServiceKit
import Storage

/// Who a row is about, as the event that created it named the person: the key the views file
/// them under (``PersonKey``), both numbers (agencies know different ones: a query joins facts
/// to a person when either the state IDs or the FBI numbers are equal, as the router and the
/// warrant resolver match), and what identifies them to a reader (name, date of birth).
public struct PersonOnRecord: Codable, Sendable, Hashable {
    /// `sid:<state id>` or `fbi:<FBI number>`.
    public var personKey: String
    public var stateId: String?
    public var fbiNumber: String?
    public var name: PersonName?
    public var dateOfBirth: CalendarDate?

    public init(personKey: String, stateId: String? = nil, fbiNumber: String? = nil, name: PersonName? = nil, dateOfBirth: CalendarDate? = nil) {
        self.personKey = personKey
        self.stateId = stateId
        self.fbiNumber = fbiNumber
        self.name = name
        self.dateOfBirth = dateOfBirth
    }
}

extension PersonOnRecord {
    /// The subject of a person-keyed event (empty numbers are dropped). Other identifiers (DOC,
    /// booking and RMS numbers, aliases) are not kept: no view shows them.
    ///
    /// - Throws: `PoisonMessage` when the subject names nobody by state ID or FBI number.
    init(subject: SubjectIdentifiers?) throws(PoisonMessage) {
        let key = try PersonKey(subject: subject)
        self.init(
            personKey: key.value, stateId: PersonKey.nonEmpty(subject?.stateId), fbiNumber: PersonKey.nonEmpty(subject?.fbiNumber),
            name: subject?.name, dateOfBirth: subject?.dateOfBirth)
    }

    /// A person an incident or investigation names in its payload, by state ID or (version 2
    /// of a violent incident) FBI number; nil when it gives neither (such a person cannot be
    /// matched to anyone on a number).
    init?(involved person: InvolvedPerson) {
        let stateId = PersonKey.nonEmpty(person.stateId), fbiNumber = PersonKey.nonEmpty(person.fbiNumber)
        guard let key = PersonKey(stateId: stateId, fbiNumber: fbiNumber) else { return nil }
        self.init(personKey: key.value, stateId: stateId, fbiNumber: fbiNumber, name: person.name, dateOfBirth: person.dateOfBirth)
    }

    /// The columns a row keeps a person in, in the order of ``values()``: `person_key`,
    /// `state_id`, `fbi_number`, `name` (JSON), `date_of_birth` (its 00:00 UTC).
    static let columns = "person_key, state_id, fbi_number, name, date_of_birth"

    /// The columns of a row that only needs to find the person (facts joined to them when read),
    /// in the order of ``identifierValues``: `person_key`, `state_id`, `fbi_number`.
    static let identifierColumns = "person_key, state_id, fbi_number"

    /// ``columns``, each set from `excluded` (for `ON CONFLICT … DO UPDATE SET`).
    static let updatedColumns =
        "person_key = excluded.person_key, state_id = excluded.state_id, fbi_number = excluded.fbi_number, name = excluded.name, date_of_birth = excluded.date_of_birth"

    var identifierValues: [SQLValue] { [.text(personKey), stateId.sqlValue, fbiNumber.sqlValue] }

    func values() throws -> [SQLValue] {
        identifierValues + [try StoredColumn.optionalJSON(name), dateOfBirth.map { .integer(ViewTime.start(of: $0)) } ?? .null]
    }

    /// The person kept in `row`'s ``columns``.
    init(_ row: StorageRow, table: String) throws {
        self.init(
            personKey: try row.get("person_key"), stateId: try row.get("state_id"), fbiNumber: try row.get("fbi_number"),
            name: try StoredColumn.optionalJSON(PersonName.self, "name", in: row, table: table),
            dateOfBirth: try StoredColumn.optionalDay("date_of_birth", in: row))
    }
}
