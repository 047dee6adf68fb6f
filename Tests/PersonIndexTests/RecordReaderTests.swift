import Foundation
import PersonIndex
import Testing

/// The NDJSON reader refuses a malformed record naming its line and field.
@Suite struct RecordReader {
    private let good = #"{"recordId":"r1","source":"jail","givenName":"Bill","familyName":"Smith","dateOfBirth":"1980-02-29","sex":"M","address":{"line1":"1 Main St","postalCode":"62701"},"identifiers":{"stateId":"IL123","docNumber":"A1","docState":"IL"}}"#

    private func error(_ text: String) -> PersonRecordError? {
        do {
            _ = try PersonRecordReader.read(Data(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func readsAWellFormedRecord() throws {
        let records = try PersonRecordReader.read(Data((good + "\n\n").utf8))
        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(record.givenName == "Bill" && record.familyName == "Smith" && record.sex == .male)
        #expect(record.dateOfBirth == DateOfBirth(year: 1980, month: 2, day: 29))
        #expect(record.address?.postalCode == "62701")
        #expect(record.identifiers.stateId == "IL123" && record.identifiers.docState == "IL")
        // What the writer produces, the reader reads back unchanged.
        #expect(try PersonRecordReader.read(Data(record.jsonLine().utf8)) == [record])
    }

    @Test("a malformed line is named by line and field", arguments: [
        (#"{"recordId":"r2","source":"jail","familyName":"Doe","dateOfBirth":"1981-02-29"}"#, "dateOfBirth", PersonRecordError.Reason.badDate),
        (#"{"recordId":"r2","source":"jail","familyName":"Doe","dateOfBirth":"03/07/1985"}"#, "dateOfBirth", .badDate),
        (#"{"recordId":"r2","source":"jail","familyName":"Doe","identifiers":{"passport":"X1"}}"#, "identifiers.passport", .unknownIdentifierType),
        (#"{"source":"jail","familyName":"Doe"}"#, "recordId", .missing),
        (#"{"recordId":"r2","familyName":"Doe"}"#, "source", .missing),
        (#"{"recordId":"r2","source":" ","familyName":"Doe"}"#, "source", .missing),
        (#"{"recordId":"r2","source":"jail"}"#, "familyName", .missing),
        (#"{"recordId":"r2","source":"jail","familyName":"Doe","dateOfbirth":"1980-01-01"}"#, "dateOfbirth", .unknownKey),
        (#"{"recordId":"r2","source":"jail","familyName":7}"#, "familyName", .wrongType(expected: "a string")),
        (#"{"recordId":"r2","source":"jail","familyName":"Doe","aliases":["Jo Doe",3]}"#, "aliases[1]", .wrongType(expected: "a string")),
        (#"{"recordId":"r2","source":"jail","familyName":"Doe","address":{"zip":"62701"}}"#, "address.zip", .unknownKey),
        (#"{"recordId":"r2","source":"jail","familyName":"Doe","sex":"male"}"#, "sex", .invalidValue("one of M, F, X, U")),
        (#"{"recordId":"r2","source":"jail","familyName":"Doe","identifiers":{"ssn":"12345"}}"#, "identifiers.ssn", .invalidValue("9 digits, or the last 4")),
        (#"{"recordId":"r2","source":"jail","familyName":"Doe","identifiers":{"docNumber":"A1"}}"#, "identifiers.docState", .missing),
        (#"{"recordId":"r1","source":"jail","familyName":"Doe"}"#, "recordId", .duplicateRecordId(firstLine: 1)),
        (#"["r2"]"#, "(line)", .notAnObject),
        (#"{"recordId":"r2","source":"jail","familyName":"Doe""#, "(line)", .notAnObject),
    ])
    func malformed(line: String, field: String, reason: PersonRecordError.Reason) {
        let failure = error(good + "\n" + line + "\n")
        #expect(failure == PersonRecordError(line: 2, field: field, reason: reason))
    }

    @Test func theErrorNamesNoValue() {
        let failure = error(#"{"recordId":"SECRET-ID","source":"jail","familyName":"Doe","dateOfBirth":"1981-13-01"}"#)
        let text = failure?.description ?? ""
        #expect(text.contains("line 1") && text.contains("dateOfBirth"))
        #expect(!text.contains("SECRET") && !text.contains("1981"))
    }
}
