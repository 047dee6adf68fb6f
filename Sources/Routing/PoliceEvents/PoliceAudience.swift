import Contracts
import Foundation
import Notifications
import Subscriptions

/// Who a police-event notification is for, and on what ground: the supervising officer of a
/// case (the implicit subscription: an officer follows each supervisee for the case's
/// duration), or the subscriber of an explicit subscription (`bus.subscriptions`) following the
/// person for the fact's kind.
///
/// A subscriber receives the notification an officer would, under its own rule
/// (`subscription-<kind>`, ``PoliceSubscriptionRules``), scoped by the subscription's id: the
/// set of notifications then does not depend on whether a case or a subscription was read first,
/// and an officer who is both supervising and subscribed receives both.
enum PoliceAudience: Sendable, Hashable {
    /// A case and who is told for it: the officer in charge when the fact happened, or one who
    /// took the case over within the handover window (`SupervisionCase.recipients(forEventAt:)`).
    case supervision(SupervisionCase, Recipient)
    case subscription(Subscription)

    var recipient: Recipient {
        switch self {
        case .supervision(_, let recipient): recipient
        case .subscription(let subscription): Self.recipient(subscription.subscriber)
        }
    }

    /// The agency the recipient answers to: the case's supervising agency, the subscriber's.
    var recipientAgencyId: String {
        switch self {
        case .supervision(let supervision, _): supervision.agencyId
        case .subscription(let subscription): subscription.subscriberAgencyId
        }
    }

    /// What the notification id is derived from besides the event, rule and recipient: the
    /// case (so a sealing order for listed cases finds what was routed for them) or the
    /// subscription.
    var scope: String {
        switch self {
        case .supervision(let supervision, _): supervision.caseId
        case .subscription(let subscription): "subscription:\(subscription.id)"
        }
    }

    /// The rule: `implicit` for a case, `subscription-<kind>` for a subscription.
    func rule(_ implicit: String, kind: SubscriptionEventKind) -> String {
        switch self {
        case .supervision: implicit
        case .subscription: PoliceSubscriptionRules.rule(for: kind)
        }
    }

    /// Why the recipient is told, before the rule's own words.
    var ground: String {
        switch self {
        case .supervision(let supervision, _):
            "You supervise case \(supervision.caseId), active on that day"
        case .subscription(let subscription):
            "Your subscription \(subscription.id) (basis \(subscription.legalBasis.basis.rawValue)) follows this person"
        }
    }

    /// The fact that says on what ground: the case or the subscription.
    var groundFact: NotificationFact {
        switch self {
        case .supervision(let supervision, _):
            NotificationFact("case", "\(supervision.caseId) (\(supervision.supervisionType), \(supervision.agencyId))")
        case .subscription(let subscription):
            NotificationFact(
                "subscription",
                "\(subscription.id) (basis \(subscription.legalBasis.basis.rawValue), until \(Describe.instant(subscription.effectiveExpiry)))")
        }
    }

    /// The person as the recipient best knows them: the event's subject when it names them,
    /// else the case's.
    func person(_ subject: SubjectIdentifiers?) -> SubjectIdentifiers? {
        if subject?.name != nil { return subject }
        if case .supervision(let supervision, _) = self { return supervision.subject ?? subject }
        return subject
    }

    static func recipient(_ subscriber: Subscriber) -> Recipient {
        switch subscriber.kind {
        case .officer: .officer(subscriber.id)
        case .unit: .unit(subscriber.id)
        case .agency: .agency(subscriber.id)
        }
    }

    /// Words for the person's own supervisee-ness: "Your supervisee" or "A person you follow".
    var whose: String {
        switch self {
        case .supervision: "Your supervisee"
        case .subscription: "A person you follow"
        }
    }
}

extension PoliceAudience {
    /// The identifiers by which `subject` is this audience's person, for `reason.matched`: the
    /// state ID and FBI number the event and the case (or the person subscription) share.
    func matched(_ subject: SubjectIdentifiers?) -> [MatchedIdentifier] {
        switch self {
        case .supervision(let supervision, _):
            return PoliceMatching.matchedIdentifiers(subject, supervision)
        case .subscription(let subscription):
            guard case .person(let stateId, let fbiNumber) = subscription.subject else { return [] }
            var matched: [MatchedIdentifier] = []
            if let stateId, stateId == subject?.stateId { matched.append(MatchedIdentifier("stateId", stateId)) }
            if let fbiNumber, fbiNumber == subject?.fbiNumber { matched.append(MatchedIdentifier("fbiNumber", fbiNumber)) }
            return matched
        }
    }
}
