import Contracts
import ServiceKit

/// The key every view files a person's rows under: `sid:<state id>` when the state ID is
/// known, else `fbi:<FBI number>`. Every row holding personal data carries it (column
/// `person_key`) beside its source record's id, so a sealing pass can find everything about a
/// person in every table of every view.
///
/// An empty number counts as missing: two rows with an empty state ID are not the same person.
struct PersonKey: Sendable, Hashable, CustomStringConvertible {
    /// `sid:…` or `fbi:…`.
    let value: String

    /// The reason a person-keyed event naming nobody by either number is refused.
    static let missingIdentifiers = "subject.stateId and subject.fbiNumber are both missing or say there is none (\"UNKNOWN\", zeros)"

    init(stateId: String) { value = "sid:\(stateId)" }

    init(fbiNumber: String) { value = "fbi:\(fbiNumber)" }

    /// The key of these numbers (the state ID first), or nil when both are missing or empty.
    init?(stateId: String?, fbiNumber: String?) {
        if let stateId = Self.nonEmpty(stateId) {
            self.init(stateId: stateId)
        } else if let fbiNumber = Self.nonEmpty(fbiNumber) {
            self.init(fbiNumber: fbiNumber)
        } else {
            return nil
        }
    }

    /// The key of an event's subject, or nil when it names nobody by either number (for a row
    /// kept by its own record id that carries the person's key only when there is one).
    init?(namedIn subject: SubjectIdentifiers?) {
        self.init(stateId: subject?.stateId, fbiNumber: subject?.fbiNumber)
    }

    /// The key of an event's subject: an event naming nobody by state ID or FBI number cannot
    /// be kept against a person, so it is a poison message.
    init(subject: SubjectIdentifiers?) throws(PoisonMessage) {
        guard let key = PersonKey(namedIn: subject) else {
            throw PoisonMessage(reason: Self.missingIdentifiers)
        }
        self = key
    }

    var description: String { value }

    /// `number`, or nil when it is missing or empty.
    static func nonEmpty(_ number: String?) -> String? {
        guard let number, !number.isEmpty else { return nil }
        return number
    }
}

extension PersonKey {
    /// A migration step's SQL giving `table` the person's numbers beside its `person_key`:
    /// `state_id` and `fbi_number` columns, filled for the rows kept before from their key
    /// (each gets the number its key names; the other stays NULL until `replay views`), and an
    /// index on each, followed by `indexedWith` (a column the queries order by) when given.
    static func numbersColumnsSQL(in table: String, indexedWith extra: String? = nil) -> String {
        let tail = extra.map { ", \($0)" } ?? ""
        return """
            ALTER TABLE \(table) ADD COLUMN state_id TEXT;
            ALTER TABLE \(table) ADD COLUMN fbi_number TEXT;
            UPDATE \(table) SET state_id = substr(person_key, 5) WHERE person_key LIKE 'sid:%';
            UPDATE \(table) SET fbi_number = substr(person_key, 5) WHERE person_key LIKE 'fbi:%';
            CREATE INDEX \(table)_by_state_id ON \(table) (state_id\(tail));
            CREATE INDEX \(table)_by_fbi_number ON \(table) (fbi_number\(tail))
            """
    }

    /// `<kind> JOIN <table> <alias> ON …`: the one row of `table` (identified by `idColumn`)
    /// about the person of the row aliased `person` — found by either number (`state_id`,
    /// `fbi_number`) — that satisfies `condition` (on alias `x`) and comes first in `order`.
    /// The views' "latest assessment", "active case" and "current address" of a person.
    static func firstByNumbersJoin(
        _ kind: String = "LEFT", table: String, alias: String, idColumn: String, person: String, condition: String, order: String
    ) -> String {
        """
        \(kind) JOIN \(table) \(alias) ON \(alias).\(idColumn) = (
            SELECT x.\(idColumn) FROM \(table) x
            WHERE (x.state_id = \(person).state_id OR x.fbi_number = \(person).fbi_number) AND \(condition)
            ORDER BY \(order)
            LIMIT 1)
        """
    }
}
