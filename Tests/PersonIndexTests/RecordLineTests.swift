import Foundation
import PersonIndex
import SyntheticPersons
import Testing

/// Record ids of the person index are digests of `PersonRecord.jsonLine()`'s bytes, so those
/// bytes must never change. They were written by `JSONSerialization` (sorted keys, slashes not
/// escaped); the hand-written writer that replaced it must give exactly the same bytes.
@Suite struct RecordLineTests {
    /// The writer the record ids were first derived with, kept here as the reference.
    static func foundationLine(_ record: PersonRecord) throws -> String {
        var object: [String: Any] = ["recordId": record.recordId, "source": record.source]
        object["givenName"] = record.givenName
        object["familyName"] = record.familyName
        if !record.aliases.isEmpty { object["aliases"] = record.aliases }
        object["dateOfBirth"] = record.dateOfBirth?.description
        object["sex"] = record.sex?.rawValue
        if let address = record.address {
            var fields: [String: Any] = [:]
            fields["line1"] = address.line1
            fields["line2"] = address.line2
            fields["city"] = address.city
            fields["state"] = address.state
            fields["postalCode"] = address.postalCode
            object["address"] = fields
        }
        var ids: [String: Any] = [:]
        let identifiers = record.identifiers
        ids["stateId"] = identifiers.stateId
        ids["fbiNumber"] = identifiers.fbiNumber
        ids["ssn"] = identifiers.ssn
        ids["docNumber"] = identifiers.docNumber
        ids["docState"] = identifiers.docState
        ids["bookingNumber"] = identifiers.bookingNumber
        ids["rmsNumber"] = identifiers.rmsNumber
        if !ids.isEmpty { object["identifiers"] = ids }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    @Test("generated records give the bytes JSONSerialization gave")
    func generatedRecords() throws {
        let records = SyntheticPopulation(seed: 7).generate(sources: 3, recordsPerSource: 400).records
        #expect(records.count == 1200)
        for record in records {
            #expect(try record.jsonLine() == Self.foundationLine(record))
        }
    }

    @Test("every control character, quotes, slashes and non-ASCII text are written as JSONSerialization wrote them")
    func awkwardText() throws {
        let controls = String(String.UnicodeScalarView((0..<0x20).compactMap(Unicode.Scalar.init)))
        let texts = [controls, "\"quoted\" back\\slash / slash", "O'Brien-Núñez 🙂 \u{2028}\u{7F}", "", "plain"]
        for text in texts {
            let records = [
                PersonRecord(recordId: text, source: text, givenName: text, aliases: [text, "x"]),
                PersonRecord(recordId: "r", source: "s", familyName: text, address: PostalAddress(line1: text, postalCode: text),
                             identifiers: PersonIdentifiers(stateId: text, docState: text, rmsNumber: text)),
                PersonRecord(recordId: "r", source: "s", address: PostalAddress()),
            ]
            for record in records { #expect(try record.jsonLine() == Self.foundationLine(record), "\(text.unicodeScalars.map(\.value))") }
        }
    }
}
