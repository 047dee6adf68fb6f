import Contracts
import Foundation
import ServiceKit
import Storage

extension SafetyStore {
    /// Keeps a case's start, end, or registered address (with its household).
    ///
    /// - Throws: `PoisonMessage` when it names nobody by state ID or FBI number, does not
    ///   decode, or carries coordinates off the globe; nothing is written.
    func applyCase(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        switch event.eventType {
        case CaseStarted.eventType:
            let started = try event.decode(CaseStarted.self)
            let personKey = try SafetyPerson.key(started.subject)
            let supervision = started.payload
            let occurredAt = SafetyTime.milliseconds(started.occurredAt)
            let startAt = SafetyTime.start(of: supervision.startDate)
            let place = try supervision.address.map { address throws(PoisonMessage) in
                try SafetyPlace(address, field: "payload.address.coordinates")
            }
            try transaction.execute(
                """
                INSERT INTO safety_cases (case_id, person_key, start_at, occurred_at, event_id) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (case_id) DO UPDATE SET
                    person_key = excluded.person_key, start_at = excluded.start_at, occurred_at = excluded.occurred_at,
                    event_id = excluded.event_id
                WHERE safety_cases.occurred_at < excluded.occurred_at
                    OR (safety_cases.occurred_at = excluded.occurred_at AND safety_cases.event_id < excluded.event_id)
                """,
                [.text(supervision.caseId), .text(personKey), .integer(startAt), .integer(occurredAt), .text(event.eventId)])
            if let address = supervision.address, let place {
                try register(
                    address, at: place, household: [], caseId: supervision.caseId, personKey: personKey, subject: started.subject,
                    effectiveAt: startAt, occurredAt: occurredAt, eventId: event.eventId, in: transaction)
            }
        case CaseEnded.eventType:
            let ended = try event.decode(CaseEnded.self)
            let personKey = try SafetyPerson.key(ended.subject)
            try transaction.execute(
                """
                INSERT INTO safety_case_ends (case_id, event_id, person_key, end_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (case_id, event_id) DO NOTHING
                """,
                [.text(ended.payload.caseId), .text(event.eventId), .text(personKey), .integer(SafetyTime.start(of: ended.payload.endDate))])
        case AddressChanged.eventType:
            let changed = try event.decode(AddressChanged.self)
            let personKey = try SafetyPerson.key(changed.subject)
            let change = changed.payload
            try register(
                change.address, at: try SafetyPlace(change.address, field: "payload.address.coordinates"), household: change.householdMembers ?? [], caseId: change.caseId, personKey: personKey,
                subject: changed.subject, effectiveAt: SafetyTime.start(of: change.effectiveDate),
                occurredAt: SafetyTime.milliseconds(changed.occurredAt), eventId: event.eventId, in: transaction)
        default:
            return
        }
    }

    private func register(
        _ address: Address, at place: SafetyPlace, household: [HouseholdMember], caseId: String, personKey: String, subject: SubjectIdentifiers?,
        effectiveAt: Int64, occurredAt: Int64, eventId: String, in transaction: any StorageTransaction
    ) throws {
        try transaction.execute(
            """
            INSERT INTO safety_addresses (
                event_id, case_id, person_key, subject, effective_at, occurred_at, address, \(SafetyPlace.columns))
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (event_id) DO NOTHING
            """,
            [
                .text(eventId), .text(caseId), .text(personKey), try SafetyJSON.optionalText(subject).sqlValue, .integer(effectiveAt),
                .integer(occurredAt), .text(try SafetyJSON.text(address)),
            ] + place.values)
        for (position, member) in household.enumerated() {
            try transaction.execute(
                """
                INSERT INTO safety_household (event_id, position, case_id, person_key, name, relationship)
                VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id, position) DO NOTHING
                """,
                [
                    .text(eventId), .integer(Int64(position)), .text(caseId), .text(personKey), .text(try SafetyJSON.text(member.name)),
                    .text(member.relationship),
                ])
        }
    }
}

/// Times as the safety check stores them: instants as milliseconds since 1970, a calendar
/// day as the instant its UTC day starts (as the other views read days).
enum SafetyTime {
    static let dayMilliseconds: Int64 = 86_400_000

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000).rounded(.down))
    }

    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1_000)
    }

    /// 00:00 UTC of `day` (days from 1970 by Howard Hinnant's `days_from_civil`).
    static func start(of day: CalendarDate) -> Int64 {
        let year = Int64(day.month <= 2 ? day.year - 1 : day.year)
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let month = Int64(day.month > 2 ? day.month - 3 : day.month + 9)
        let dayOfYear = (153 * month + 2) / 5 + Int64(day.day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return (era * 146_097 + dayOfEra - 719_468) * dayMilliseconds
    }
}

/// Contract values kept in a `TEXT` column as the bus's JSON, and read back.
enum SafetyJSON {
    static func text<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try EventCodec.encodeJSON(value), as: UTF8.self)
    }

    static func optionalText<T: Encodable>(_ value: T?) throws -> String? {
        guard let value else { return nil }
        return try text(value)
    }

    /// - Throws: ``SafetyStoredValueError`` naming the table and column, never the value.
    static func decode<T: Decodable>(_ type: T.Type, _ text: String?, table: String, column: String) throws(SafetyStoredValueError) -> T? {
        guard let text else { return nil }
        do {
            return try EventCodec.decodeJSON(type, from: Array(text.utf8))
        } catch {
            throw SafetyStoredValueError(table: table, column: column)
        }
    }
}

/// A stored value of the safety check could not be read back (written by another version, or
/// changed by hand). Names the table and column, never the value.
public struct SafetyStoredValueError: Error, Sendable, Hashable, CustomStringConvertible {
    public var table: String
    public var column: String

    public var description: String { "\(table).\(column) holds a value this version cannot read" }
}
