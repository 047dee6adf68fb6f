import Contracts
import Notifications

/// Which police department serves a city: where "release into your jurisdiction" goes.
///
/// A later issue reads this from reference data; the walking skeleton knows a few Missouri
/// departments and, for any other city, addresses `agency:police:<STATE>:<City>` so that no
/// notification is dropped for want of a directory entry.
public struct Jurisdictions: Sendable {
    public var departments: [String: String]

    public init(departments: [String: String] = Jurisdictions.missouri) {
        self.departments = departments
    }

    public static let missouri: [String: String] = [
        "MO:KANSAS CITY": "MO-KCPD",
        "MO:ST. LOUIS": "MO-SLMPD",
        "MO:SAINT LOUIS": "MO-SLMPD",
        "MO:INDEPENDENCE": "MO-IPD",
        "MO:SPRINGFIELD": "MO-SPD",
        "MO:COLUMBIA": "MO-CPD",
    ]

    /// The police department of the city an address is in.
    public func police(for address: Address) -> Recipient {
        let key = "\(address.state.uppercased()):\(address.city.uppercased())"
        if let agency = departments[key] { return .agency(agency) }
        return .agency("police:\(address.state.uppercased()):\(address.city)")
    }
}
