/// The contracts' agency id (`common.yaml#/$defs/agencyId`): two capital letters (the state), a
/// dash, then one or more codes of capitals and digits joined by dashes (`MO-KCPD`,
/// `MO-DOC-WERDCC`), at most 40 characters. Checked by hand where a value is not validated
/// against a schema: a token's claim, an envelope read without its contract, a recipient.
public enum AgencyIdentifier {
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 4, bytes.count <= 40, isCapital(bytes[0]), isCapital(bytes[1]), bytes[2] == UInt8(ascii: "-") else {
            return false
        }
        let codes = bytes[3...].split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        return codes.allSatisfy { code in !code.isEmpty && code.allSatisfy { isCapital($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } }
    }

    private static func isCapital(_ byte: UInt8) -> Bool { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) }
}
