import Notifications
import ServiceKit

/// Every read model the bus hosts, for the runtime, `reentrybus view` and the tests that hold
/// each of them to the same rules. A new view is added here.
public enum ReadModelCatalog {
    /// Every view; the release board trusts no notification (for tests of the rest).
    public static let all: [any ReadModelStore] = all(notificationCheck: ReleaseBoardStore.refuseUnverifiedNotifications)

    /// Every view, the release board trusting the notifications signed with one of `keys`
    /// (the services' notification key and those it replaces).
    public static func all(verifyingNotificationsWith keys: [NotificationSigningKey]) -> [any ReadModelStore] {
        all(notificationCheck: { (event: AdmittedEvent) throws(PoisonMessage) -> Void in
            try NotificationSignature.verify(event.value, headers: event.headers, keys: keys)
        })
    }

    private static func all(notificationCheck: @escaping ReleaseBoardStore.NotificationCheck) -> [any ReadModelStore] {
        [
            CaseloadStore(),
            CourtStore(),
            PoliceViewStore(),
            ReleaseBoardStore(verifyNotification: notificationCheck),
            HighNeedsStore(),
            SafetyStore(),
        ]
    }
}
