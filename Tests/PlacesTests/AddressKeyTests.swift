import Placeholders
import Testing

@testable import Places

/// One written form of an address, as an agency's record would carry it.
struct WrittenAddress: Sendable, CustomTestStringConvertible {
    var line1: String
    var line2: String? = nil
    var city = "Kansas City"
    var state = "MO"
    var postalCode: String? = "64109"

    var key: AddressKey {
        get throws { try AddressKey(line1: line1, line2: line2, city: city, state: state, postalCode: postalCode) }
    }

    var testDescription: String {
        "\(line1)\(line2.map { " / \($0)" } ?? ""), \(city), \(state) \(postalCode ?? "")"
    }
}

@Suite("Address keys")
struct AddressKeyTests {
    /// Each group is one place written the ways agencies write it: every form must give one key.
    static let samePlace: [[WrittenAddress]] = [
        // Case, punctuation, spacing, directionals spelled out, suffix spelled out.
        [
            WrittenAddress(line1: "123 North Main Street"), WrittenAddress(line1: "123 N. Main St."),
            WrittenAddress(line1: "123 n main st"), WrittenAddress(line1: "  123   N  MAIN,  ST  "),
            WrittenAddress(line1: "0123 N Main St"),
        ],
        // A unit, however it is designated and wherever it is written.
        [
            WrittenAddress(line1: "123 N Main St Apt 4B"), WrittenAddress(line1: "123 North Main Street, Apartment 4-B"),
            WrittenAddress(line1: "123 N Main St #4B"), WrittenAddress(line1: "123 N Main St", line2: "Unit 4B"),
            WrittenAddress(line1: "123 N Main St Suite 4B"), WrittenAddress(line1: "123 N Main St Ste 4b"),
            WrittenAddress(line1: "123 N Main St", line2: "# 4B"), WrittenAddress(line1: "123 N Main St Apt # 4B"),
            WrittenAddress(line1: "123 N Main St", line2: "4B"),
        ],
        // ZIP+4 is its ZIP.
        [WrittenAddress(line1: "10 Elm St", postalCode: "64109-1234"), WrittenAddress(line1: "10 Elm St", postalCode: "641091234"),
         WrittenAddress(line1: "10 Elm St", postalCode: "64109")],
        // Numbered streets: ordinal words, numerals with or without their ending.
        [
            WrittenAddress(line1: "1200 E 31st St"), WrittenAddress(line1: "1200 East Thirty-First Street"),
            WrittenAddress(line1: "1200 E. 31 St."), WrittenAddress(line1: "1200 EAST THIRTY FIRST ST"),
        ],
        [WrittenAddress(line1: "45 First Ave"), WrittenAddress(line1: "45 1st Avenue"), WrittenAddress(line1: "45 1 Av")],
        // Two-word directionals.
        [
            WrittenAddress(line1: "500 South West Main Ave"), WrittenAddress(line1: "500 SW Main Avenue"),
            WrittenAddress(line1: "500 S.W. Main Ave"), WrittenAddress(line1: "500 Southwest Main Ave"),
        ],
        [WrittenAddress(line1: "88 Maple Ln NE"), WrittenAddress(line1: "88 Maple Lane North East"), WrittenAddress(line1: "88 Maple Lane N.E.")],
        // Saint in a street name.
        [WrittenAddress(line1: "700 Saint Charles Boulevard"), WrittenAddress(line1: "700 St. Charles Blvd"), WrittenAddress(line1: "700 ST CHARLES BLVD")],
        // The other suffixes the check meets most.
        [WrittenAddress(line1: "42 Oak Parkway"), WrittenAddress(line1: "42 Oak Pkwy")],
        [WrittenAddress(line1: "9 Elm Terrace"), WrittenAddress(line1: "9 Elm Ter")],
        [WrittenAddress(line1: "15 Birch Court"), WrittenAddress(line1: "15 Birch Ct")],
        [WrittenAddress(line1: "3 Pine Place"), WrittenAddress(line1: "3 Pine Pl")],
        [WrittenAddress(line1: "60 Cedar Drive"), WrittenAddress(line1: "60 Cedar Dr")],
        [WrittenAddress(line1: "71 Mill Road"), WrittenAddress(line1: "71 Mill Rd")],
        [WrittenAddress(line1: "2200 State Highway 7"), WrittenAddress(line1: "2200 State Hwy 7")],
        [WrittenAddress(line1: "31 Ash Lane"), WrittenAddress(line1: "31 Ash Ln")],
        [WrittenAddress(line1: "8 Avenue B"), WrittenAddress(line1: "8 Ave B")],
        // Accents, and the city and state however written.
        [
            WrittenAddress(line1: "12 Émile Ave", city: "St. Louis", state: "Missouri"),
            WrittenAddress(line1: "12 Emile Ave", city: "SAINT LOUIS", state: "mo"),
            WrittenAddress(line1: "12 emile avenue", city: "Saint  Louis", state: "MO"),
        ],
        // A post office box.
        [WrittenAddress(line1: "PO Box 77"), WrittenAddress(line1: "P.O. Box 077"), WrittenAddress(line1: "Post Office Box 77")],
    ]

    /// One place's forms, named by the first in the test's output.
    struct Forms: Sendable, CustomTestStringConvertible {
        var forms: [WrittenAddress]
        var testDescription: String { forms[0].testDescription }
    }

    @Test("every way of writing one place gives one key", arguments: samePlace.map(Forms.init))
    func samePlaceSameKey(place: Forms) throws {
        let forms = place.forms
        let keys = try forms.map { try $0.key }
        for (form, key) in zip(forms, keys) {
            #expect(key == keys[0], "\(form.testDescription) → \(key), expected \(keys[0])")
            #expect(key.hashValue == keys[0].hashValue)
        }
    }

    /// Pairs that look alike but are other places (or other dwellings): they must not match.
    static let nearMisses: [(WrittenAddress, WrittenAddress)] = [
        (WrittenAddress(line1: "123 N Main St"), WrittenAddress(line1: "125 N Main St")),
        (WrittenAddress(line1: "123 N Main St Apt 4B"), WrittenAddress(line1: "123 N Main St Apt 4C")),
        (WrittenAddress(line1: "123 N Main St Apt 4"), WrittenAddress(line1: "123 N Main St")),
        (WrittenAddress(line1: "123 N Main St"), WrittenAddress(line1: "123 S Main St")),
        (WrittenAddress(line1: "123 North Main St"), WrittenAddress(line1: "123 South Main Street")),
        (WrittenAddress(line1: "123 N Main St"), WrittenAddress(line1: "123 Main St N")),
        (WrittenAddress(line1: "123 N Main St"), WrittenAddress(line1: "123 N Main Ave")),
        (WrittenAddress(line1: "1200 E 31st St"), WrittenAddress(line1: "1200 E 32nd St")),
        (WrittenAddress(line1: "1200 E 31st St"), WrittenAddress(line1: "1200 W 31st St")),
        (WrittenAddress(line1: "500 SW Main Ave"), WrittenAddress(line1: "500 SE Main Ave")),
        (WrittenAddress(line1: "123 N Main St Bldg 2"), WrittenAddress(line1: "123 N Main St Apt 2")),
        (WrittenAddress(line1: "123 N Main St", postalCode: "64109"), WrittenAddress(line1: "123 N Main St", postalCode: "64110")),
        (WrittenAddress(line1: "123 N Main St", city: "Kansas City"), WrittenAddress(line1: "123 N Main St", city: "Independence")),
        (WrittenAddress(line1: "123 N Main St", state: "MO"), WrittenAddress(line1: "123 N Main St", state: "KS")),
        (WrittenAddress(line1: "123 1/2 N Main St"), WrittenAddress(line1: "123 N Main St")),
    ]

    @Test("look-alikes of another house number, unit, direction, street, ZIP or town are other keys", arguments: nearMisses)
    func nearMissesDiffer(first: WrittenAddress, second: WrittenAddress) throws {
        #expect(try first.key != second.key, "\(first.testDescription) must not match \(second.testDescription)")
    }

    @Test("a key's parts are Pub 28's standard forms")
    func parts() throws {
        let key = try AddressKey(
            line1: "123 north main street apartment 4-b", city: "st. louis", state: "Missouri", postalCode: "63101-2222")
        #expect(key.houseNumber == "123")
        #expect(key.predirectional == "N")
        #expect(key.streetName == "MAIN")
        #expect(key.streetSuffix == "ST")
        #expect(key.postdirectional == nil)
        #expect(key.units == ["# 4B"])
        #expect(key.city == "SAINT LOUIS" && key.state == "MO" && key.zip == "63101")
        #expect(key.description == "123 N MAIN ST # 4B, SAINT LOUIS, MO 63101")
    }

    @Test("words that are also designators or suffixes stay street names where they name the street")
    func streetNamesThatLookLikeOtherParts() throws {
        let front = try AddressKey(line1: "10 Front St", city: "Kansas City", state: "MO")
        #expect(front.streetName == "FRONT" && front.units.isEmpty)
        let genevieve = try AddressKey(line1: "220 Ste Genevieve Ave", city: "Kansas City", state: "MO")
        #expect(genevieve.streetName == "SAINTE GENEVIEVE" && genevieve.streetSuffix == "AVE" && genevieve.units.isEmpty)
        let west = try AddressKey(line1: "9 South West St", city: "Kansas City", state: "MO")
        #expect(west.predirectional == "S" && west.streetName == "WEST" && west.streetSuffix == "ST")
        let rear = try AddressKey(line1: "14 Oak St Rear", city: "Kansas City", state: "MO")
        #expect(rear.units == ["REAR"] && rear.streetName == "OAK")
    }

    @Test("without its ZIP or its unit, a key matches what lacks them")
    func coarserKeys() throws {
        let full = try WrittenAddress(line1: "123 N Main St Apt 4B", postalCode: "64109-1234").key
        let noZip = try WrittenAddress(line1: "123 N Main St Apt 4B", postalCode: nil).key
        #expect(full != noZip)
        #expect(full.withoutPostalCode == noZip)
        let building = try WrittenAddress(line1: "123 N Main St").key
        #expect(full.withoutUnits == building)
        #expect(try WrittenAddress(line1: "123 N Main St Apt 9").key.withoutUnits == building)
    }

    @Test("input that cannot be read is refused, naming the field", arguments: [
        (WrittenAddress(line1: ""), "line1"),
        (WrittenAddress(line1: " ,. "), "line1"),
        (WrittenAddress(line1: "Main St", city: " "), "city"),
        (WrittenAddress(line1: "Main St", state: "Xx"), "state"),
        (WrittenAddress(line1: "Main St", postalCode: "6410"), "postalCode"),
        (WrittenAddress(line1: "Main St", postalCode: "64109-12"), "postalCode"),
        (WrittenAddress(line1: "Main St", postalCode: "6410A"), "postalCode"),
    ])
    func refused(address: WrittenAddress, field: String) {
        let error = #expect(throws: PlaceError.self) { _ = try address.key }
        #expect(error?.field == field)
    }

    /// What systems write for "no address" names no place: read as a street, every person
    /// recorded "HOMELESS" in a city would share one address with every other.
    @Test("a line that stands for no address is refused, however it is written", arguments: [
        "HOMELESS", "homeless", "Homeless - camp by 5th and Main", "TRANSIENT", "Unknown", "UNK", "Address unknown",
        "N/A", "n.a.", "NONE", "No Fixed Address", "NFA", "General Delivery", "REFUSED", "Same as above",
        "NO-FIXED-ABODE", "UNKNOWN.", "0 UNKNOWN", "000 Homeless",
    ])
    func placeholderRefused(line: String) {
        #expect(AddressPlaceholder.isPlaceholder(line))
        let error = #expect(throws: PlaceError.self) { _ = try WrittenAddress(line1: line).key }
        #expect(error?.field == "line1")
        #expect(error?.reason.contains("no address") == true)
    }

    @Test("a street line with a house number or a street of its own is never a placeholder", arguments: [
        "100 Transient Way", "12 Homeless Rd", "4410 Troost Ave", "PO Box 12", "Unknown Creek Rd", "Nash St",
        "Homeless Shelter 1100 E 11th St", "0 Unknown Creek Rd", "10 Unknown", "0 Homeless Rd",
    ])
    func notAPlaceholder(line: String) throws {
        #expect(!AddressPlaceholder.isPlaceholder(line))
        _ = try WrittenAddress(line1: line).key
    }
}
