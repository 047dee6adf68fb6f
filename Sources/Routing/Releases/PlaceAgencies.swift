import Contracts
import Directory
import Notifications

/// Which agencies serve a place, for the release and bulletin rules: the police agency (the
/// directory's answer: a police agency listing the place, else a sheriff) and the
/// reentry-services agency. When the directory names none (an entry not published yet, or read
/// after the event: the topics are not ordered with each other) the notification still goes
/// out, to a fallback address no agency id can take (`agency:police:<STATE>:<City>`,
/// `agency:reentry_services:<STATE>:<City>`), which the inbox keeps for whoever is made
/// responsible for the place; each is counted in `reentrybus_directory_misses_total{rule, kind}`.
/// An entry read later does not send it again.
struct PlaceAgencies {
    /// The counter of notifications sent to a fallback address (the warrant resolver's too).
    static let missLabel = "reentrybus_directory_misses_total"

    let directory: AgencyDirectory

    /// The part of the directory that can answer for the city of `address`.
    init(for address: Address, in storage: DirectoryStore) throws {
        directory = try storage.directory(forPlace: address.city, in: address.state)
    }

    init(directory: AgencyDirectory) { self.directory = directory }

    /// The police agency serving the city of `address`, or its fallback address.
    func police(serving address: Address) -> Recipient {
        directory.police(serving: address).map { .agency($0.agencyId) } ?? Self.fallback(.police, address)
    }

    /// The reentry-services agency listing the city of `address` (of several, the smallest
    /// agency id), or its fallback address.
    func reentryServices(serving address: Address) -> Recipient {
        let serving = directory.entries.values.filter { entry in
            entry.kind == .reentryServices && entry.jurisdiction.state.uppercased() == address.state.uppercased()
                && (entry.jurisdiction.places ?? []).contains { PlaceKey($0) == PlaceKey(address.city) }
        }
        return serving.map(\.agencyId).min().map(Recipient.agency) ?? Self.fallback(.reentryServices, address)
    }

    /// The agency entry behind `recipient`, if the directory has one.
    func entry(_ recipient: Recipient) -> AgencyDescribed? {
        recipient.kind == .agency ? directory.agency(recipient.id) : nil
    }

    static func fallback(_ kind: AgencyKind, _ address: Address) -> Recipient {
        .agency("\(kind.rawValue):\(address.state.uppercased()):\(address.city)")
    }

    /// Whether `recipient` is a fallback address rather than a directory entry.
    static func isFallback(_ recipient: Recipient) -> Bool {
        recipient.kind == .agency && recipient.id.contains(":")
    }
}

extension RouterContext {
    /// Sends `notifications` like `send`, counting those addressed to a fallback place address
    /// (`PlaceAgencies.missLabel`, by rule and the kind of agency looked for).
    /// - Returns: the notifications sent now (not sent before).
    @discardableResult
    func sendCountingMisses(_ notifications: [BusNotification], forgetAfterMilliseconds: Int64?) throws -> [BusNotification] {
        let sentNow = try NotificationOutbox.emit(
            notifications, signedWith: signingKey, forgetAfterMilliseconds: forgetAfterMilliseconds, in: transaction)
        for notification in sentNow {
            if PlaceAgencies.isFallback(notification.recipient) {
                let kind = notification.recipient.id.split(separator: ":").first.map(String.init) ?? "unknown"
                transaction.countOnCommit(PlaceAgencies.missLabel, dimensions: [
                    (name: "rule", value: notification.reason.rule), (name: "kind", value: kind),
                ])
            }
        }
        return sentNow
    }
}
