import Foundation

extension PersonRecord {
    /// The record as one NDJSON line (without the line end), in the form `PersonRecordReader`
    /// reads: absent fields are left out, keys sorted so the same record always gives the same
    /// bytes.
    ///
    /// Written by hand rather than by `JSONSerialization` (the bytes are the same; a test holds
    /// them to it): the person index derives record ids from these bytes for every event that
    /// names a person, and Foundation's writer, with its boxing of every value, was 6 % of a
    /// pipeline replay. Members in sorted order; strings escaped as `JSONSerialization` does with
    /// `.withoutEscapingSlashes` (quote, backslash, `\b \f \n \r \t`, other controls as
    /// `\u00xx`; everything else as it is).
    public func jsonLine() throws -> String {
        var out = "{"
        var writer = MemberWriter()
        if let address {
            writer.object("address", [
                ("city", address.city), ("line1", address.line1), ("line2", address.line2),
                ("postalCode", address.postalCode), ("state", address.state),
            ], to: &out)
        }
        if !aliases.isEmpty {
            writer.name("aliases", to: &out)
            out += "["
            for (i, alias) in aliases.enumerated() {
                if i > 0 { out += "," }
                Self.writeString(alias, to: &out)
            }
            out += "]"
        }
        writer.member("dateOfBirth", dateOfBirth?.description, to: &out)
        writer.member("familyName", familyName, to: &out)
        writer.member("givenName", givenName, to: &out)
        let ids: [(String, String?)] = [
            ("bookingNumber", identifiers.bookingNumber), ("docNumber", identifiers.docNumber),
            ("docState", identifiers.docState), ("fbiNumber", identifiers.fbiNumber),
            ("rmsNumber", identifiers.rmsNumber), ("ssn", identifiers.ssn), ("stateId", identifiers.stateId),
        ]
        if ids.contains(where: { $0.1 != nil }) { writer.object("identifiers", ids, to: &out) }
        writer.member("recordId", recordId, to: &out)
        writer.member("sex", sex?.rawValue, to: &out)
        writer.member("source", source, to: &out)
        out += "}"
        return out
    }

    /// Writes an object's members, a comma between each two.
    private struct MemberWriter {
        var count = 0

        mutating func name(_ name: String, to out: inout String) {
            if count > 0 { out += "," }
            count += 1
            out += "\"" + name + "\":"
        }

        mutating func member(_ name: String, _ value: String?, to out: inout String) {
            guard let value else { return }
            self.name(name, to: &out)
            PersonRecord.writeString(value, to: &out)
        }

        /// A member whose value is an object of the string `members` that are present, in the
        /// order given (sorted by the caller).
        mutating func object(_ name: String, _ members: [(String, String?)], to out: inout String) {
            self.name(name, to: &out)
            out += "{"
            var fields = MemberWriter()
            for (field, value) in members { fields.member(field, value, to: &out) }
            out += "}"
        }
    }

    static func writeString(_ value: String, to out: inout String) {
        out += "\""
        var plain = true
        for byte in value.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            plain = false
            break
        }
        if plain {
            out += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\u{08}": out += "\\b"
                case "\u{0C}": out += "\\f"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
