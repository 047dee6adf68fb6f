import Contracts
import Foundation
import Subscriptions

/// Explicit person subscriptions for the police kinds (`arrests`, `bookings`, `contacts`,
/// `incidents`, `investigations`): each routes to its subscriber under rule
/// `subscription-<kind>` (e.g. `subscription-bookings`) the notification the matching
/// supervisee rule would send an officer, when the subscription is active at the fact's time
/// (`Subscription.isActive(asOf:)`: not cancelled, started, not expired) and covers its kind.
///
/// - A person subscription matches on its state ID or FBI number, like a case; a person an
///   incident or investigation names is matched on state ID only (they carry no other number).
/// - Investigations reach a subscriber only on a 28 CFR Part 23 basis (`criminal_intelligence`):
///   their sensitivity (`routine`) releases them to supervising officers, nobody else
///   (`InvestigationNamedSupervisee`).
/// - A subscription read after a fact it covers routes the fact then (the fact is kept); an
///   expired or cancelled one routes nothing, and since the topic keeps only a subscription's
///   latest state, a fact read after a cancellation is not routed even if it happened before.
enum PoliceSubscriptionRules {
    /// The kinds this family routes.
    static let kinds: Set<SubscriptionEventKind> = [.arrests, .bookings, .contacts, .incidents, .investigations]

    static func rule(for kind: SubscriptionEventKind) -> String { "subscription-\(kind.rawValue)" }

    /// The audiences among `subscriptions` for a fact of `kind` that happened at `moment`.
    static func audiences(_ subscriptions: [Subscription], kind: SubscriptionEventKind, at moment: Date) -> [PoliceAudience] {
        subscriptions.filter { $0.covers(kind) && $0.isActive(asOf: moment) }.map(PoliceAudience.subscription)
    }

    /// Whether `subscription` follows the person `subject` names.
    static func follows(_ subscription: Subscription, _ subject: SubjectIdentifiers) -> Bool {
        guard case .person(let stateId, let fbiNumber) = subscription.subject else { return false }
        if let stateId, stateId == subject.stateId { return true }
        if let fbiNumber, fbiNumber == subject.fbiNumber { return true }
        return false
    }
}
