import Contracts
import ServiceKit
import Storage

/// The release coordinator's board (`release-board`), per facility: its releases with their
/// status, the warrant check derived from `courts.warrants` (`clear`, `pending` while a warrant
/// is active, `hold` while a detainer is) and who was told about each (from
/// `bus.notifications`: recipient and rule, never the text). See ``board(facilityId:asOf:withinDays:in:)``.
///
/// Facts are kept per release, warrant, detainer and notification and joined when asked, so
/// the order in which the topics are read does not change the answer.
///
/// Notifications are trusted only once `verifyNotification` accepts them (their signature:
/// the lead's wiring passes `NotificationSignature.verify` with the services' keys). Without
/// one, every notification is refused as a poison message: the board then shows nobody told
/// rather than what anyone could have written to the topic.
public struct ReleaseBoardStore: ReadModelStore {
    /// Checks a `bus.notifications` message before the board trusts it; throws a
    /// `PoisonMessage` naming the problem to refuse it.
    public typealias NotificationCheck = @Sendable (AdmittedEvent) throws(PoisonMessage) -> Void

    public static let releasesTopic = "custody.releases"
    public static let warrantsTopic = "courts.warrants"
    public static let notificationsTopic = BusTopic.notifications

    /// The default check: refuses every notification (no verifying keys were given).
    public static let refuseUnverifiedNotifications: NotificationCheck = { (_: AdmittedEvent) throws(PoisonMessage) -> Void in
        throw PoisonMessage(reason: "notification signature not checked: the release board was given no verifying keys")
    }

    public let name = "release-board"
    public let topics = [Self.releasesTopic, Self.warrantsTopic, Self.notificationsTopic]

    let releases = ReleaseLedger.views
    let warrants = WarrantLedger.views
    let notices = NoticeLedger(prefix: "releases")
    let verifyNotification: NotificationCheck

    /// - Parameter verifyNotification: accepts a notification whose signature verifies (see
    ///   the type's documentation); by default every notification is refused.
    public init(verifyNotification: @escaping NotificationCheck = ReleaseBoardStore.refuseUnverifiedNotifications) {
        self.verifyNotification = verifyNotification
    }

    /// Every table of the board, for sealing and tests.
    public var tables: [String] { releases.tables + warrants.tables + notices.tables }

    public var migrations: [StorageMigration] {
        [
            .script(
                "releases-v1",
                [ReleaseLedger(prefix: "releases").schema, WarrantLedger(prefix: "releases", keepsDetainers: true).schema, notices.schema]
                    .joined(separator: ";\n")),
            .script("releases-v2", notices.personStep),
            ReleaseLedger.sharedStep,
            ReleaseLedger.movedStep(from: ReleaseLedger(prefix: "releases"), id: "releases-v3"),
            WarrantLedger.sharedStep,
            WarrantLedger.movedStep(from: WarrantLedger(prefix: "releases", keepsDetainers: true), id: "releases-v4"),
        ]
    }

    public func handles(eventType: String) -> Bool {
        releases.handles(eventType: eventType) || warrants.handles(eventType: eventType) || eventType == RoutedNotice.eventType
    }

    public func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        let type = event.eventType
        if releases.handles(eventType: type) {
            try releases.apply(event, in: transaction)
        } else if warrants.handles(eventType: type) {
            try warrants.apply(event, in: transaction)
        } else if type == RoutedNotice.eventType {
            try notices.apply(event, verify: verifyNotification, in: transaction)
        }
    }
}
