import Foundation

extension PersonRecord {
    /// The record as one NDJSON line (without the line end), in the form `PersonRecordReader`
    /// reads: absent fields are left out, keys sorted so the same record always gives the same
    /// bytes.
    public func jsonLine() throws -> String {
        var object: [String: Any] = ["recordId": recordId, "source": source]
        object["givenName"] = givenName
        object["familyName"] = familyName
        if !aliases.isEmpty { object["aliases"] = aliases }
        object["dateOfBirth"] = dateOfBirth?.description
        object["sex"] = sex?.rawValue
        if let address {
            var fields: [String: Any] = [:]
            fields["line1"] = address.line1
            fields["line2"] = address.line2
            fields["city"] = address.city
            fields["state"] = address.state
            fields["postalCode"] = address.postalCode
            object["address"] = fields
        }
        var ids: [String: Any] = [:]
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
}
