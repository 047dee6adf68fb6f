import Contracts
import Foundation

/// The escalation of an URGENT notification nobody acknowledged (issue 14, item 5): after the
/// delays of its recipient's agency (`AgencyEscalation`, else 15 and 30 minutes from when it
/// was routed), a new notification to the agency's duty desk, then to its supervisors.
///
/// Pure: what to send for one chain at one tick. The inbox decides at ticks of `bus.timers`
/// only (never the clock), and each escalation's id is derived from the original's id and the
/// step, so a replay, a redelivery or a second tick sends nothing twice.
public enum Escalation {
    /// The rule every escalation names.
    public static let rule = "urgent-unacknowledged"
    /// The longest summary `bus.notifications` accepts, in characters (code points).
    static let maximumSummaryLength = 8_000

    /// One step of the chain.
    public enum Step: Int, Sendable, Comparable, CaseIterable {
        case dutyDesk = 1
        case supervisor = 2

        public static func < (lhs: Step, rhs: Step) -> Bool { lhs.rawValue < rhs.rawValue }

        /// The scope the escalation's id is derived from (with the original's id).
        var scope: String { "escalation-step-\(rawValue)" }

        /// Who it goes to in agency `agencyId`.
        public func recipient(agencyId: String) -> Recipient {
            switch self {
            case .dutyDesk: .duty(agencyId)
            case .supervisor: .role("supervisor", of: agencyId)
            }
        }

        /// Minutes after the original was routed at which this step is due. The supervisors
        /// are never asked before the duty desk: an agency entry that sets them sooner (the
        /// contract bounds each delay, not their order) has them asked with the duty desk,
        /// which would otherwise be skipped (the chain ends at its last step).
        public func delayMinutes(_ delays: AgencyEscalation) -> Int {
            switch self {
            case .dutyDesk: delays.dutyDeskAfterMinutes
            case .supervisor: max(delays.supervisorAfterMinutes, delays.dutyDeskAfterMinutes)
            }
        }
    }

    /// Whether a notification starts a chain: URGENT, and not itself an escalation.
    public static func escalates(_ notification: BusNotification) -> Bool {
        notification.priority == .urgent && !isEscalation(notification)
    }

    /// Whether a notification asks for an acknowledgement: URGENT and HIGH ones do.
    public static func asksForAcknowledgement(_ notification: BusNotification) -> Bool {
        notification.priority >= .high
    }

    /// The notifications `notification` retracts: a retraction (its rule ends `-retracted`)
    /// names each notice it tells its recipient to disregard (`matched` `notification`). A
    /// retracted notice escalates no further: it concerned someone else.
    public static func retracted(by notification: BusNotification) -> [String] {
        guard notification.reason.rule.hasSuffix("-retracted") else { return [] }
        return notification.reason.matched.filter { $0.name == "notification" }.map(\.value)
    }

    /// Whether `notification` is an escalation (its source is the original notification).
    public static func isEscalation(_ notification: BusNotification) -> Bool {
        notification.reason.rule == rule && notification.sourceEventType == BusNotification.eventType
    }

    /// The step an escalation stands for (its id is derived from the original and the step).
    public static func step(of escalation: BusNotification) -> Step? {
        guard isEscalation(escalation), let agencyId = escalation.recipientAgencyId else { return nil }
        return Step.allCases.first { step in
            escalation.id == BusNotification.id(
                sourceEventId: escalation.sourceEventId, rule: rule, scope: step.scope, recipient: step.recipient(agencyId: agencyId))
        }
    }

    /// The steps due at `tickMilliseconds` for a chain that has reached `reached` (nil: none
    /// yet), routed at `routedAtMilliseconds`, with `delays`.
    public static func dueSteps(
        reached: Step?, routedAtMilliseconds: Int64, tickMilliseconds: Int64, delays: AgencyEscalation
    ) -> [Step] {
        Step.allCases.filter { step in
            (reached.map { step > $0 } ?? true)
                && tickMilliseconds - routedAtMilliseconds >= Int64(step.delayMinutes(delays)) * 60_000
        }
    }

    /// The escalation of `original` (routed to someone of `agencyId`) at `step`, decided at the
    /// tick `tickAt`: everything in it comes from the original, the directory entry and the tick.
    public static func notification(
        for original: BusNotification, agencyId: String, step: Step, routedAtMilliseconds: Int64, tickAt: Date,
        dutyContact: DutyContact?
    ) -> BusNotification {
        let waited = max(0, (Int64((tickAt.timeIntervalSince1970 * 1000).rounded()) - routedAtMilliseconds) / 60_000)
        let to = switch step {
        case .dutyDesk: "your duty desk"
        case .supervisor: "your agency's supervisors"
        }
        var facts = [
            NotificationFact("Original notification", original.id),
            NotificationFact("Sent to", original.recipient.description),
            NotificationFact("Original summary", original.summary),
            NotificationFact("Unacknowledged for", "\(waited) minutes"),
        ]
        if let phone = dutyContact?.phone { facts.append(NotificationFact("Duty desk phone", phone)) }
        if let email = dutyContact?.email { facts.append(NotificationFact("Duty desk email", email)) }
        // The contract's 8,000 characters at most: the original's summary is cut to fit.
        let prefix = "Unacknowledged for \(waited) minutes: "
        let room = max(0, maximumSummaryLength - prefix.unicodeScalars.count)
        let summary = prefix + String(String.UnicodeScalarView(original.summary.unicodeScalars.prefix(room)))
        return BusNotification(
            recipient: step.recipient(agencyId: agencyId), priority: .urgent,
            summary: summary,
            reason: NotificationReason(
                rule: rule,
                explanation: "An urgent notification to \(original.recipient) has not been acknowledged for \(waited) minutes; your agency's escalation sends it to \(to). Acknowledge it (or this) to stop the escalation.",
                matched: [MatchedIdentifier("notificationId", original.id)]),
            facts: facts, occurredAt: tickAt, subjectStateId: original.subjectStateId,
            sourceEventId: original.id, sourceEventType: BusNotification.eventType, scope: step.scope,
            recipientAgencyId: agencyId, subjectFbiNumber: original.subjectFbiNumber)
    }

    /// The rule of the notice that stands an escalation down.
    public static let standDownRule = "urgent-acknowledged-before-escalation"

    /// The rule of the notice that tells an escalation's recipient the notice escalated to them
    /// was retracted.
    public static let retractionForwardedRule = "escalation-retracted"

    /// Tells the recipient of `escalationId` (a step of `original`'s chain) that `original` has
    /// been retracted by the rule that sent it (`retraction`, to the original's recipient): the
    /// notice a duty desk or a supervisor was asked to act on concerned someone else, or no
    /// longer holds. Routine, as a stand-down; one a step (its id derives from the
    /// escalation's); itself a retraction, of the escalation (its rule ends `-retracted`).
    public static func retractionForwarded(
        escalationId: String, recipient: Recipient, agencyId: String, original: BusNotification, retraction: BusNotification
    ) -> BusNotification {
        BusNotification(
            recipient: recipient, priority: .routine,
            summary: "Disregard the urgent notification escalated to you: it was retracted",
            reason: NotificationReason(
                rule: retractionForwardedRule,
                explanation: "An urgent notification to \(original.recipient) was escalated to you as unacknowledged; the rule that sent it has since retracted it (\(retraction.reason.rule)).",
                matched: [MatchedIdentifier("notification", escalationId)]),
            facts: [
                NotificationFact("Original notification", original.id), NotificationFact("Escalation", escalationId),
                NotificationFact("Retraction", retraction.id),
            ],
            occurredAt: retraction.occurredAt, subjectStateId: original.subjectStateId,
            sourceEventId: escalationId, sourceEventType: BusNotification.eventType, scope: "retracted",
            recipientAgencyId: agencyId, subjectFbiNumber: original.subjectFbiNumber)
    }

    /// Tells the recipient of `escalation` that its original had been acknowledged before the
    /// escalation went out: the inbox read the tick before the acknowledgement (they travel on
    /// separate topics), so the escalation was sent, but nobody needs to act on it. One a step
    /// (its id derives from the escalation's), routine, never escalated itself.
    public static func standDown(
        escalationId: String, recipient: Recipient, agencyId: String, original: BusNotification, acknowledgement: NotificationAcknowledgement
    ) -> BusNotification {
        let who = acknowledgement.actor.map { "\(acknowledgement.by) (\($0))" } ?? acknowledgement.by.description
        let at = EventCodec.formatInstant(acknowledgement.at)
        return BusNotification(
            recipient: recipient, priority: .routine,
            summary: "No action needed: the urgent notification escalated to you was acknowledged by \(who) at \(at), before the escalation",
            reason: NotificationReason(
                rule: standDownRule,
                explanation: "An urgent notification to \(original.recipient) was escalated to you as unacknowledged, but it had been acknowledged before the escalation went out; the acknowledgement reached the bus after it.",
                matched: [MatchedIdentifier("notificationId", original.id)]),
            facts: [
                NotificationFact("Original notification", original.id), NotificationFact("Escalation", escalationId),
                NotificationFact("Acknowledged by", who), NotificationFact("Acknowledged at", at),
            ],
            occurredAt: acknowledgement.at, subjectStateId: original.subjectStateId,
            sourceEventId: escalationId, sourceEventType: BusNotification.eventType, scope: "stand-down",
            recipientAgencyId: agencyId, subjectFbiNumber: original.subjectFbiNumber)
    }
}
