import Contracts
import Directory
import Notifications

/// Who is told, as "the police", about a release into a city: the police agency the agency
/// directory (`reference.agencies`) names for it, or, when it names none, the fallback address
/// `agency:police:<STATE>:<City>`, so that no notification is lost for want of an entry.
///
/// Order independence: the directory and the releases are different topics, so a release can
/// be read before its police agency's entry (a new agency, a service starting from scratch).
/// It still notifies, at the fallback address; the entry read later does not send it again.
/// Each fallback is counted (`missLabel`) so that an operator sees the missing entries.
enum DestinationPolice {
    /// The counter of notifications sent to the fallback address, by rule and kind of agency
    /// looked for.
    static let missLabel = "reentrybus_directory_misses_total"

    /// The police agency of the city of `destination`, from `directory`.
    static func recipient(for destination: Address, in directory: AgencyDirectory) -> Recipient {
        if let agency = directory.police(serving: destination) { return .agency(agency.agencyId) }
        return fallback(for: destination)
    }

    /// `agency:police:<STATE>:<City>`: an address no agency id can take (agency ids have no
    /// colon), which the inbox keeps for whoever is made responsible for the city.
    static func fallback(for destination: Address) -> Recipient {
        .agency("police:\(destination.state.uppercased()):\(destination.city)")
    }

    /// Whether `recipient` is a fallback address rather than a directory entry.
    static func isFallback(_ recipient: Recipient) -> Bool {
        recipient.kind == .agency && recipient.id.hasPrefix("police:")
    }
}
