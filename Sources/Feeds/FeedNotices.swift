import Contracts
import Foundation
import Notifications
import ServiceKit
import Timers

/// The wording of the two feed notifications, each to the bus's operators and to the agency.
///
/// - `feed-silent` (high): a feed silent for more than twice its cadence; the agency's copy
///   and the operators' name the agency's integrator contact, who can look at its system.
/// - `feed-restored` (routine): the next event of that feed.
///
/// A notification's `sourceEventId` is the silence's id (``silenceId(_:since:)``, derived from
/// the agency, the topic and the silence's start), not an event's: so each notification's id
/// depends on the silence alone, and whichever tick finds it, a replay or a second instance
/// sends the same ids (the inbox keeps one). `sourceEventType` names what revealed it: the
/// tick, or the event that ended the silence.
public enum FeedNotices {
    public static let silentRule = "feed-silent"
    public static let restoredRule = "feed-restored"

    /// A UUID-shaped id (version 8) of one silence of one feed: SHA-256 of the agency, the topic
    /// and the silence's start.
    public static func silenceId(_ key: FeedKey, since: Int64) -> String {
        SHA256.derivedUUID("reentrybus.feed-silence\u{0}\(key.agencyId)\u{0}\(key.topic)\u{0}\(since)")
    }

    /// The alarm for `feed`, silent since `since`, to `operators` and to the agency.
    /// `occurredAt` is when the silence passed twice the cadence.
    public static func silent(
        _ feed: FeedAssessment, since: Int64, integratorContact: DutyContact?, operators: Recipient
    ) -> [BusNotification] {
        let key = feed.key
        let cadence = FeedCadences.describe(minutes: feed.cadenceMinutes)
        let overdueAt = since + 2 * Int64(feed.cadenceMinutes) * 60_000
        let neverPublished = feed.record?.lastEventMilliseconds == nil
        let quiet = neverPublished
            ? "has published nothing to \(key.topic) since it joined the bus (\(instant(since)))"
            : "has published nothing to \(key.topic) since \(instant(since))"
        var facts = [
            NotificationFact("Agency", agencyLabel(feed)),
            NotificationFact("Topic", key.topic),
            NotificationFact(neverPublished ? "Expected since" : "Last event", instant(since)),
            NotificationFact("Expected every", cadence),
            NotificationFact("Overdue since", instant(overdueAt)),
            NotificationFact("Integrator contact", contactText(integratorContact)),
        ]
        if let events = feed.record?.events, events > 0 { facts.append(NotificationFact("Events read before", String(events))) }
        let silence = silenceId(key, since: since)
        return recipients(key, operators: operators).map { recipient in
            BusNotification(
                recipient: recipient, priority: .high,
                summary: "Feed silent: \(key.agencyId) \(quiet); expected every \(cadence)",
                reason: NotificationReason(
                    rule: silentRule,
                    explanation: recipient == operators
                        ? "You operate the bus: \(key.agencyId)'s \(key.topic) feed has been silent for more than twice its expected cadence (\(cadence)). Its integrator contact is in the facts."
                        : "Your agency's system is expected to publish to \(key.topic) at least every \(cadence) and has been silent for more than twice that. Your integrator contact (in the facts) can check the connection.",
                    matched: [MatchedIdentifier("agencyId", key.agencyId), MatchedIdentifier("topic", key.topic)]),
                facts: facts, occurredAt: date(overdueAt), subjectStateId: nil, sourceEventId: silence,
                sourceEventType: TimerTick.eventType)
        }
    }

    /// The all-clear for the feed's silence that started at `since`, ended by the event
    /// `eventType` at `restoredAt`, to the same recipients as the alarm.
    public static func restored(
        _ key: FeedKey, agencyName: String?, since: Int64, restoredAt: Int64, eventType: String, operators: Recipient
    ) -> [BusNotification] {
        let silence = silenceId(key, since: since)
        let minutes = max(0, restoredAt - since) / 60_000
        let facts = [
            NotificationFact("Agency", agencyName.map { "\(key.agencyId) (\($0))" } ?? key.agencyId),
            NotificationFact("Topic", key.topic),
            NotificationFact("Silent since", instant(since)),
            NotificationFact("Event again at", instant(restoredAt)),
            NotificationFact("Quiet for", "\(minutes / 60) h \(minutes % 60) min"),
        ]
        return recipients(key, operators: operators).map { recipient in
            BusNotification(
                recipient: recipient, priority: .routine,
                summary: "Feed restored: \(key.agencyId) publishes to \(key.topic) again",
                reason: NotificationReason(
                    rule: restoredRule,
                    explanation: "An event arrived on the \(key.topic) feed of \(key.agencyId), which had been reported silent since \(instant(since)).",
                    matched: [MatchedIdentifier("agencyId", key.agencyId), MatchedIdentifier("topic", key.topic)]),
                facts: facts, occurredAt: date(restoredAt), subjectStateId: nil, sourceEventId: silence, sourceEventType: eventType)
        }
    }

    /// The operators first, then the agency (`agency:ID`).
    static func recipients(_ key: FeedKey, operators: Recipient) -> [Recipient] {
        let agency = Recipient.agency(key.agencyId)
        return operators == agency ? [agency] : [operators, agency]
    }

    static func agencyLabel(_ feed: FeedAssessment) -> String {
        var label = feed.key.agencyId
        if let name = feed.agencyName { label += " (\(name))" }
        if let kind = feed.agencyKind { label += ", \(kind)" }
        return label
    }

    static func contactText(_ contact: DutyContact?) -> String {
        let parts = [contact?.email, contact?.phone].compactMap { $0 }.filter { !$0.isEmpty }
        return parts.isEmpty ? "none in the directory" : parts.joined(separator: ", ")
    }

    static func instant(_ milliseconds: Int64) -> String { EventCodec.formatInstant(date(milliseconds)) }

    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
