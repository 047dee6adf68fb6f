import Contracts
import Directory

/// One place of a police agency's jurisdiction: a state and a city as the agency directory
/// compares them (`PlaceKey`: "St. Louis" = "SAINT LOUIS" = "st louis"). The police view is
/// asked for a list of these; addresses are matched on the same two parts.
public struct JurisdictionPlace: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The two-letter state code, upper case.
    public let state: String
    public let place: PlaceKey

    public init(state: String, place: PlaceKey) {
        self.state = state.uppercased()
        self.place = place
    }

    /// A state and a city or place name as written anywhere (an address, a directory entry).
    public init(state: String, city: String) {
        self.init(state: state, place: PlaceKey(city))
    }

    /// The place of an address: its state and city.
    init(of address: Address) {
        self.init(state: address.state, city: address.city)
    }

    /// What the views store beside an address and compare in SQL: `MO|KANSAS CITY`.
    var key: String { "\(state)|\(place.value)" }

    public var description: String { "\(place.value), \(state)" }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.state, lhs.place) < (rhs.state, rhs.place) }
}
