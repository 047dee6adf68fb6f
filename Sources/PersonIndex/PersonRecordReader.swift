import Foundation

/// Reads person records from NDJSON (one JSON object a line), strictly: the first malformed
/// line stops the read with a `PersonRecordError` naming the line and the field, so a caller
/// that writes only after a successful read writes nothing for a bad file. Unknown keys are
/// refused (a misspelt `dateOfbirth` would otherwise drop a date silently); blank lines are
/// skipped; `null` counts as absent for optional fields.
public enum PersonRecordReader {
    private static let topLevelKeys: Set<String> = [
        "recordId", "source", "givenName", "familyName", "aliases", "dateOfBirth", "sex", "address", "identifiers",
    ]
    private static let addressKeys: Set<String> = ["line1", "line2", "city", "state", "postalCode"]

    /// All records of `data`, in line order.
    public static func read(_ data: Data) throws(PersonRecordError) -> [PersonRecord] {
        var records: [PersonRecord] = []
        var firstLineOfId: [String: Int] = [:]
        var lineNumber = 0
        var start = data.startIndex
        while start < data.endIndex {
            lineNumber += 1
            let end = data[start...].firstIndex(of: UInt8(ascii: "\n")) ?? data.endIndex
            let line = data[start..<end]
            start = end < data.endIndex ? data.index(after: end) : end
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            let record = try parse(line: Data(line), number: lineNumber)
            if let first = firstLineOfId[record.recordId] {
                throw PersonRecordError(line: lineNumber, field: "recordId", reason: .duplicateRecordId(firstLine: first))
            }
            firstLineOfId[record.recordId] = lineNumber
            records.append(record)
        }
        return records
    }

    /// One record from one line's JSON text (`number` names the line in errors).
    public static func parse(line: Data, number: Int) throws(PersonRecordError) -> PersonRecord {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: line) as? [String: Any] else {
                throw PersonRecordError(line: number, field: "(line)", reason: .notAnObject)
            }
            object = parsed
        } catch let error as PersonRecordError {
            throw error
        } catch {
            throw PersonRecordError(line: number, field: "(line)", reason: .notAnObject)
        }
        let fields = FieldReader(line: number, object: object, path: "")
        try fields.refuseUnknownKeys(topLevelKeys, reason: .unknownKey)

        var record = PersonRecord(
            recordId: try fields.requiredString("recordId"),
            source: try fields.requiredString("source"))
        record.familyName = try fields.optionalString("familyName")
        record.givenName = try fields.optionalString("givenName")
        if record.familyName == nil && record.givenName == nil {
            throw PersonRecordError(line: number, field: "familyName", reason: .missing)
        }
        record.aliases = try fields.optionalStringArray("aliases")
        if let text = try fields.optionalString("dateOfBirth") {
            guard let date = DateOfBirth(iso: text) else {
                throw PersonRecordError(line: number, field: "dateOfBirth", reason: .badDate)
            }
            record.dateOfBirth = date
        }
        if let text = try fields.optionalString("sex") {
            guard let sex = Sex(rawValue: text.uppercased()) else {
                throw PersonRecordError(line: number, field: "sex", reason: .invalidValue("one of M, F, X, U"))
            }
            record.sex = sex
        }
        if let address = try fields.optionalObject("address") {
            try address.refuseUnknownKeys(addressKeys, reason: .unknownKey)
            record.address = PostalAddress(
                line1: try address.optionalString("line1"), line2: try address.optionalString("line2"),
                city: try address.optionalString("city"), state: try address.optionalString("state"),
                postalCode: try address.optionalString("postalCode"))
        }
        if let identifiers = try fields.optionalObject("identifiers") {
            try identifiers.refuseUnknownKeys(Set(PersonIdentifiers.keys), reason: .unknownIdentifierType)
            var ids = PersonIdentifiers()
            ids.stateId = try identifiers.optionalString("stateId")
            ids.fbiNumber = try identifiers.optionalString("fbiNumber")
            ids.docNumber = try identifiers.optionalString("docNumber")
            ids.docState = try identifiers.optionalString("docState")
            ids.bookingNumber = try identifiers.optionalString("bookingNumber")
            ids.rmsNumber = try identifiers.optionalString("rmsNumber")
            if let ssn = try identifiers.optionalString("ssn") {
                let digits = ssn.filter { $0 != "-" && $0 != " " }
                guard digits.count == 9 || digits.count == 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                    throw PersonRecordError(line: number, field: "identifiers.ssn", reason: .invalidValue("9 digits, or the last 4"))
                }
                ids.ssn = digits
            }
            if ids.docNumber != nil && ids.docState == nil {
                throw PersonRecordError(line: number, field: "identifiers.docState", reason: .missing)
            }
            record.identifiers = ids
        }
        return record
    }
}

/// Typed access to one JSON object's fields, naming the field's path in errors.
private struct FieldReader {
    let line: Int
    let object: [String: Any]
    let path: String

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func refuseUnknownKeys(_ known: Set<String>, reason: PersonRecordError.Reason) throws(PersonRecordError) {
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw PersonRecordError(line: line, field: name(unknown), reason: reason)
        }
    }

    func requiredString(_ key: String) throws(PersonRecordError) -> String {
        guard let value = try optionalString(key) else {
            throw PersonRecordError(line: line, field: name(key), reason: .missing)
        }
        return value
    }

    /// The trimmed string, nil when absent, null or blank.
    func optionalString(_ key: String) throws(PersonRecordError) -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else {
            throw PersonRecordError(line: line, field: name(key), reason: .wrongType(expected: "a string"))
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    func optionalStringArray(_ key: String) throws(PersonRecordError) -> [String] {
        guard let value = object[key], !(value is NSNull) else { return [] }
        guard let array = value as? [Any] else {
            throw PersonRecordError(line: line, field: name(key), reason: .wrongType(expected: "an array of strings"))
        }
        var strings: [String] = []
        for (index, element) in array.enumerated() {
            guard let text = element as? String else {
                throw PersonRecordError(line: line, field: "\(name(key))[\(index)]", reason: .wrongType(expected: "a string"))
            }
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { strings.append(trimmed) }
        }
        return strings
    }

    func optionalObject(_ key: String) throws(PersonRecordError) -> FieldReader? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let nested = value as? [String: Any] else {
            throw PersonRecordError(line: line, field: name(key), reason: .wrongType(expected: "an object"))
        }
        return FieldReader(line: line, object: nested, path: name(key))
    }
}
