import Contracts
import PersonIndex
import ServiceKit

// Shared by the person-index service (which indexes the records) and the router (which names
// an arrest's and a case's records to follow bus.identity): one derivation, so the two agree.

/// One person an agency event names, as the person index keeps it: a `PersonRecord` under a
/// deterministic record id, with the numbers a sealing order could name the person by.
///
/// Record ids (at most 80 characters, as `bus.identity` allows):
/// - the event's source agency and the agency's own identifier of the person, when the subject
///   carries one: `<agency>/booking/<n>`, `<agency>/rms/<n>`, `<agency>/doc/<n>` (booking number
///   first: it is the jail's own; then the records system's, then the DOC number). The same
///   identifier described otherwise later (a case's address, then none) becomes a variant,
///   `<base>~<digest>`, linked to the first by the shared identifier;
/// - otherwise `<agency>/p/<digest>`: the digest of what the event says about the person, so
///   the same description by the same agency is one record, however many events repeat it
///   (a warrant's issue, service and recall), and a redelivery or a replay makes no new record.
/// Digests are SHA-256 of the record's stable JSON, so the ids are the same on every replay.
public struct IndexedRecord: Sendable, Hashable {
    public var record: PersonRecord
    /// The person's state ID and FBI number as the event gave them (for sealing).
    public var stateId: String?
    public var fbiNumber: String?
    /// Where the person sits in the event (`subject`, `payload.victims[0]`), for the ledger's
    /// per-person check; never logged with a value.
    public var role: String

    /// The longest record id `bus.identity` accepts.
    public static let maximumIdLength = 80

    /// The records `mentions` yields, subject first, then the payload's people in contract
    /// order; people without a family name are left out (the index compares names: a record
    /// without one cannot be read back) and counted by the caller.
    public static func records(from mentions: PersonMentions) -> (records: [IndexedRecord], unnamed: Int) {
        let agency = mentions.source.agencyId
        var records: [IndexedRecord] = []
        var unnamed = 0
        if let subject = mentions.subject {
            if let record = subjectRecord(subject, agency: agency, address: residence(mentions.payload)) {
                records.append(record)
            } else {
                unnamed += 1
            }
        }
        let payload = mentions.payload
        let people: [(String, [InvolvedPerson])] = [
            ("personContacted", payload?.personContacted.map { [$0] } ?? []),
            ("victims", payload?.victims ?? []), ("suspects", payload?.suspects ?? []),
            ("personsOfInterest", payload?.personsOfInterest ?? []),
        ]
        for (member, persons) in people {
            for (index, person) in persons.enumerated() {
                guard let name = person.name else {
                    unnamed += 1
                    continue
                }
                var record = PersonRecord(
                    recordId: "", source: agency, givenName: name.given, familyName: name.family,
                    dateOfBirth: person.dateOfBirth.flatMap(dateOfBirth),
                    // An FBI number only in version 2 of a violent incident; absent, the record
                    // and so its digest id are as before.
                    identifiers: PersonIdentifiers(stateId: person.stateId, fbiNumber: person.fbiNumber))
                record.recordId = digestId(prefix: "\(agency)/p/", record)
                records.append(IndexedRecord(
                    record: record, stateId: person.stateId, fbiNumber: person.fbiNumber, role: "payload.\(member)[\(index)]"))
            }
        }
        return (records, unnamed)
    }

    /// The subject's record: its own identifier's id when it has one, else a digest id.
    public static func subjectRecord(_ subject: SubjectIdentifiers, agency: String, address: Address?) -> IndexedRecord? {
        guard let name = subject.name else { return nil }
        var record = PersonRecord(
            recordId: "", source: agency, givenName: name.given, familyName: name.family,
            aliases: (subject.aliases ?? []).map { [$0.given, $0.family].compactMap { $0 }.joined(separator: " ") },
            dateOfBirth: subject.dateOfBirth.flatMap(dateOfBirth),
            address: address.map { PostalAddress(line1: $0.line1, line2: $0.line2, city: $0.city, state: $0.state, postalCode: $0.postalCode) },
            identifiers: PersonIdentifiers(
                stateId: subject.stateId, fbiNumber: subject.fbiNumber, docNumber: subject.docNumber,
                // A DOC number is scoped by its state; the agencies' ids start with their state's code.
                docState: subject.docNumber == nil ? nil : String(agency.prefix { $0 != "-" }),
                bookingNumber: subject.bookingNumber, rmsNumber: subject.rmsNumber))
        let own: (String, String)? = subject.bookingNumber.map { ("booking", $0) } ?? subject.rmsNumber.map { ("rms", $0) }
            ?? subject.docNumber.map { ("doc", $0) }
        if let (kind, number) = own, !number.isEmpty {
            let id = "\(agency)/\(kind)/\(number)"
            // Room is left for a variant's suffix (`~` and 16 hex digits); a longer id is a digest.
            record.recordId = id.utf8.count <= maximumIdLength - 17 ? id : digestId(prefix: "\(agency)/\(kind)/", record)
        } else {
            record.recordId = digestId(prefix: "\(agency)/p/", record)
        }
        return IndexedRecord(record: record, stateId: subject.stateId, fbiNumber: subject.fbiNumber, role: "subject")
    }

    /// The same record under a variant id (`<id>~<digest>`): the agency described the person
    /// it knows by this identifier otherwise than the stored record does.
    public func variant() -> IndexedRecord {
        var copy = self
        copy.record.recordId = Self.digestId(prefix: "\(record.recordId)~", record)
        return copy
    }

    /// `prefix` and 16 hex digits of the SHA-256 of the record's contents (its id left out),
    /// shortened to the id limit by hashing the prefix too when it is long.
    public static func digestId(prefix: String, _ record: PersonRecord) -> String {
        var anonymous = record
        anonymous.recordId = ""
        let contents = (try? anonymous.jsonLine()) ?? "\(anonymous)"
        let digest = String(SHA256.hex(contents).prefix(16))
        guard prefix.utf8.count + digest.utf8.count > maximumIdLength else { return prefix + digest }
        return "h/" + String(SHA256.hex(prefix).prefix(32)) + "~" + digest
    }

    /// The subject's home as the event states it: a case's registered or changed address, a
    /// release's destination, a contact's place when it was the subject's residence.
    public static func residence(_ payload: PersonMentions.Payload?) -> Address? {
        guard let payload else { return nil }
        if let address = payload.address ?? payload.destination { return address }
        if payload.atSubjectResidence == true { return payload.location?.address }
        return nil
    }

    public static func dateOfBirth(_ date: CalendarDate) -> DateOfBirth? {
        DateOfBirth(year: date.year, month: date.month, day: date.day)
    }
}

/// The record id the person index gives an event's subject, for services that follow
/// `bus.identity` (the router): computed by the same code that indexes it.
public enum PersonRecordIds {
    /// The id of the subject's record (its base id: a later variant is linked to it by the
    /// shared identifier); nil when the subject has no name, which the index does not keep.
    public static func subject(of event: AdmittedEvent) throws(PoisonMessage) -> String? {
        let mentions = try PersonMentions(event)
        guard let subject = mentions.subject else { return nil }
        return IndexedRecord.subjectRecord(subject, agency: mentions.source.agencyId, address: IndexedRecord.residence(mentions.payload))?.record.recordId
    }
}
