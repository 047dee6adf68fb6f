import Demo
import Notifications

/// What the demo scenario's flows must deliver, whichever broker and however the services run
/// (in one process or as `serve` processes): its notifications, by recipient, priority, rule and
/// source event. Both end-to-end tests compare the inbox with this.
public struct DemoNotificationKey: Hashable, Sendable, CustomStringConvertible {
    public var recipient: String
    public var priority: NotificationPriority
    public var rule: String
    public var source: String

    public init(_ notification: BusNotification) {
        self.init(recipient: notification.recipient.description, priority: notification.priority,
                  rule: notification.reason.rule, source: notification.sourceEventId)
    }

    init(recipient: String, priority: NotificationPriority, rule: String, source: String) {
        self.recipient = recipient
        self.priority = priority
        self.rule = rule
        self.source = source
    }

    public var description: String { "\(recipient) \(priority.rawValue) \(rule) \(source)" }

    /// Flow A: an arrest reaches the supervising officer; flow B: a release with an active
    /// warrant, then cleared; flow C: a short-notice release with an active warrant.
    public static let expected: Set<DemoNotificationKey> = {
        let ids = { (name: String) in ScenarioEvent.eventId("demo/\(name)").uuidString.lowercased() }
        return [
            .init(recipient: "officer:PP-KC-118", priority: .high, rule: "supervisee-arrested", source: ids("A2")),
            // The resident rules (Sources/Routing/Residents): Reyes's case, registered in Kansas City.
            .init(recipient: "agency:MO-KCPD", priority: .routine, rule: "resident-supervision-started", source: ids("A1")),
            .init(recipient: "agency:MO-CIRCUIT16", priority: .high, rule: "warrant-check-pending", source: ids("B2")),
            .init(recipient: "agency:MO-JCPO", priority: .high, rule: "warrant-check-prosecutor", source: ids("B2")),
            .init(recipient: "agency:MO-KCPD", priority: .high, rule: "release-warrant-pending", source: ids("B2")),
            .init(recipient: "facility:MO-DOC-WERDCC", priority: .routine, rule: "warrant-check-clear", source: ids("B3")),
            .init(recipient: "agency:MO-KCPD", priority: .routine, rule: "warrant-check-clear", source: ids("B3")),
            .init(recipient: "agency:MO-IPD", priority: .urgent, rule: "unscheduled-release-active-warrant", source: ids("C2")),
            .init(recipient: "agency:MO-CIRCUIT7", priority: .urgent, rule: "unscheduled-release-active-warrant", source: ids("C2")),
            .init(recipient: "agency:MO-CCPO", priority: .urgent, rule: "unscheduled-release-active-warrant", source: ids("C2")),
            // The release rules (Sources/Routing/Releases): Hill's release B2 (no case: the agency it
            // names), Grant's release C2 at short notice, then steps R1–R6 (DemoScenario+Releases).
            .init(recipient: "agency:MO-DOC-PP", priority: .routine, rule: "supervisee-release", source: ids("B2")),
            .init(recipient: "agency:MO-KCPD", priority: .routine, rule: "release-into-jurisdiction", source: ids("B2")),
            .init(recipient: "agency:MO-IPD", priority: .routine, rule: "release-into-jurisdiction", source: ids("C2")),
            .init(recipient: "agency:MO-IPD", priority: .urgent, rule: "short-notice-release", source: ids("C2")),
            .init(recipient: "unit:MO-KCPD-PPS", priority: .routine, rule: "subscription-release", source: ids("B2")),
            .init(recipient: "agency:MO-KCPD", priority: .high, rule: "high-risk-release-60-days", source: ids("B2")),
            .init(recipient: "agency:MO-KC-REENTRY", priority: .high, rule: "high-risk-release-60-days", source: ids("B2")),
            .init(recipient: "agency:MO-KC-REENTRY", priority: .routine, rule: "high-needs-release", source: ids("B2")),
            .init(recipient: "agency:MO-KCPD", priority: .routine, rule: "mental-health-bulletin", source: ids("R4")),
            .init(recipient: "unit:MO-KCPD-PPS", priority: .routine, rule: "subscription-expiring", source: DemoScenario.hillSubscriptionId(run: "demo")),
            .init(recipient: "officer:PP-KC-118", priority: .routine, rule: "supervisee-release", source: ids("R6")),
            .init(recipient: "agency:MO-DOC-PP", priority: .urgent, rule: "short-notice-release", source: ids("R6")),
            .init(recipient: "agency:MO-IPD", priority: .routine, rule: "release-into-jurisdiction", source: ids("R6")),
            .init(recipient: "agency:MO-IPD", priority: .urgent, rule: "short-notice-release", source: ids("R6")),
        ]
    }()
}
