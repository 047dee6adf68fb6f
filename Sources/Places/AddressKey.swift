import Placeholders

/// A street address in one normalised form, so that two records of the same place compare
/// equal however each agency wrote it: "123 North Main Street, Apt. 4B" and "123 N Main St #4B"
/// are one key; "125 N Main St", "123 S Main St" and "123 N Main St Apt 5" are others.
///
/// The street line follows USPS Publication 28 (see `StreetLine`): case, accents, punctuation
/// and spacing folded; street suffixes, directionals and unit designators abbreviated as Pub 28
/// does; numbered streets as ordinals; the unit's number kept, whichever dwelling designator
/// came with it. The city is folded the same way, with St/Ste/Ft/Mt spelled out as in place
/// names ("St. Louis" is SAINT LOUIS); the state is its two-letter code (a name is accepted);
/// a ZIP+4 keeps its ZIP.
///
/// Equality covers every part, the ZIP too when there is one: when one source has ZIP codes and
/// another does not, compare `withoutPostalCode` keys. `withoutUnits` is the building, for
/// "anything at this address" checks. A key is personal data: log it at debug level only.
public struct AddressKey: Hashable, Sendable, CustomStringConvertible {
    /// The primary (house) number, e.g. `123` or `123 1/2`; nil when the line has none.
    public var houseNumber: String? { street.number }
    public var predirectional: String? { street.predirectional }
    /// The street name, e.g. `MAIN`, `31ST`, `SAINT CHARLES`, `PO BOX`.
    public var streetName: String { street.name }
    /// The street suffix, e.g. `ST`, `AVE`.
    public var streetSuffix: String? { street.suffix }
    public var postdirectional: String? { street.postdirectional }
    /// Secondary units, sorted: `# 4B` for any dwelling-type unit, `BLDG 2`, `FL 3`, `REAR`.
    public var units: [String] { street.units }
    /// The city, e.g. `SAINT LOUIS`.
    public let city: String
    /// The two-letter state code, e.g. `MO`.
    public let state: String
    /// The five-digit ZIP code, when the address had one.
    public private(set) var zip: String?

    private var street: StreetLine

    /// Reads an address as the contracts carry one (`line1`, `line2`, `city`, `state`,
    /// `postalCode`). Throws, naming the field, when a part cannot be read: an empty line,
    /// a line with no street name, a line that stands for no address ("HOMELESS", "UNKNOWN":
    /// ``AddressPlaceholder``), a city with no words, an unknown state, a malformed ZIP.
    public init(line1: String, line2: String? = nil, city: String, state: String, postalCode: String? = nil) throws(PlaceError) {
        street = try StreetLine(line1: line1, line2: line2)
        self.city = try Self.city(city)
        self.state = try Self.state(state)
        zip = try postalCode.flatMap { code throws(PlaceError) in try Self.zip(code) }
    }

    /// The same address without its ZIP code.
    public var withoutPostalCode: AddressKey {
        var key = self
        key.zip = nil
        return key
    }

    /// The same address without its units: the building.
    public var withoutUnits: AddressKey {
        var key = self
        key.street.units = []
        return key
    }

    /// e.g. `123 N MAIN ST # 4B, SPRINGFIELD, MO 65801`. Personal data.
    public var description: String {
        let line = [street.number, street.predirectional, street.name, street.suffix, street.postdirectional]
            .compactMap { $0 } + street.units
        return "\(line.joined(separator: " ")), \(city), \([state, zip].compactMap { $0 }.joined(separator: " "))"
    }

    // MARK: Parts

    private static let placeAbbreviations = ["ST": "SAINT", "STE": "SAINTE", "FT": "FORT", "MT": "MOUNT"]

    private static func city(_ text: String) throws(PlaceError) -> String {
        let words = AddressWords.split(text).filter { $0 != "#" }
        guard !words.isEmpty else { throw PlaceError(field: "city", reason: "has no words") }
        return words.map { placeAbbreviations[$0] ?? $0 }.joined(separator: " ")
    }

    private static func state(_ text: String) throws(PlaceError) -> String {
        guard let code = USPSAbbreviations.states[AddressWords.split(text).joined(separator: " ")] else {
            throw PlaceError(field: "state", reason: "is not a US state, district or territory (its code or its name)")
        }
        return code
    }

    private static func zip(_ text: String) throws(PlaceError) -> String? {
        let trimmed = text.filter { !$0.isWhitespace }
        if trimmed.isEmpty { return nil }
        let parts = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        let valid = parts.allSatisfy { $0.allSatisfy(\.isASCIIDigit) }
            && (parts.map(\.count) == [5] || parts.map(\.count) == [5, 4] || parts.map(\.count) == [9])
        guard valid else { throw PlaceError(field: "postalCode", reason: "is not a ZIP code (5 digits, or ZIP+4)") }
        return String(trimmed.prefix(5))
    }
}
