import Contracts
import Foundation

/// Plain-text renderings of event parts for notification summaries and facts.
public enum Describe {
    public static func name(_ name: PersonName?) -> String? {
        guard let name else { return nil }
        return [name.given, name.middle, name.family, name.suffix].compactMap { $0 }.joined(separator: " ")
    }

    /// "Darnell Reyes (MO1234567)" or whatever identifiers are known.
    public static func person(_ subject: SubjectIdentifiers?) -> String {
        guard let subject else { return "unidentified person" }
        let id = subject.stateId ?? subject.fbiNumber.map { "FBI \($0)" } ?? subject.docNumber.map { "DOC \($0)" } ?? "no state ID"
        if let name = name(subject.name) { return "\(name) (\(id))" }
        return id
    }

    /// Every identifier, for the "who" fact.
    public static func identifiers(_ subject: SubjectIdentifiers?) -> String {
        guard let subject else { return "unidentified" }
        var parts: [String] = []
        if let name = name(subject.name) { parts.append(name) }
        if let dateOfBirth = subject.dateOfBirth { parts.append("born \(dateOfBirth)") }
        if let stateId = subject.stateId { parts.append("state ID \(stateId)") }
        if let fbi = subject.fbiNumber { parts.append("FBI \(fbi)") }
        if let doc = subject.docNumber { parts.append("DOC \(doc)") }
        return parts.joined(separator: ", ")
    }

    public static func address(_ address: Address?) -> String? {
        guard let address else { return nil }
        let street = [address.line1, address.line2].compactMap { $0 }.joined(separator: " ")
        return "\(street), \(address.city), \(address.state)" + (address.postalCode.map { " \($0)" } ?? "")
    }

    public static func location(_ location: Location) -> String {
        address(location.address) ?? location.description
            ?? location.coordinates.map { "\($0.latitude), \($0.longitude)" } ?? "unknown place"
    }

    public static func charges(_ charges: [Charge]) -> String {
        charges.isEmpty ? "no charge listed" : charges.map { "\($0.description) (\($0.level.rawValue))" }.joined(separator: "; ")
    }

    /// The calendar day of an instant in UTC.
    public static func day(_ date: Date) -> CalendarDate {
        CalendarDate(utcDayOf: date)
    }

    public static func instant(_ date: Date) -> String { EventCodec.formatInstant(date) }
}
