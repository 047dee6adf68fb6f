import Contracts
import ServiceKit

/// How the release, police and reentry views key people: `sid:<state id>` when the event
/// names one, else `fbi:<FBI number>`. Every row holding personal data carries this key, so a
/// sealing pass can remove a person from every table.
enum LedgerPerson {
    static let missingReason = "subject.stateId and subject.fbiNumber are both missing"

    /// The key of the event's subject; an event naming nobody by either number cannot be kept.
    static func key(_ subject: SubjectIdentifiers?) throws(PoisonMessage) -> String {
        guard let key = keyIfNamed(subject) else { throw PoisonMessage(reason: missingReason) }
        return key
    }

    /// The key of the event's subject, or nil when it names nobody by either number (for rows
    /// that are kept by their own record id and only carry the person's key when there is one).
    static func keyIfNamed(_ subject: SubjectIdentifiers?) -> String? {
        if let stateId = subject?.stateId, !stateId.isEmpty { return key(stateId: stateId) }
        if let fbiNumber = subject?.fbiNumber, !fbiNumber.isEmpty { return "fbi:\(fbiNumber)" }
        return nil
    }

    static func key(stateId: String) -> String { "sid:\(stateId)" }
}

/// Who a row is about, as the event that created it named the person.
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

    init(personKey: String, subject: SubjectIdentifiers?) {
        self.init(
            personKey: personKey, stateId: subject?.stateId, fbiNumber: subject?.fbiNumber, name: subject?.name,
            dateOfBirth: subject?.dateOfBirth)
    }
}
