import Contracts
import Notifications
import Subscriptions

/// Rule `investigation-named-supervisee` (the brief's task-force and officer-safety practices):
/// an investigation opened or updated (`police.investigations`) whose persons of interest name
/// a supervisee — by state ID, a date of birth on both sides agreeing — goes to the supervising
/// officer (or agency) of every case of the person covering the event's day (UTC), high
/// priority, **only** where its sensitivity allows it (glossary `investigationSensitivity`):
///
/// - `routine` — "shareable with supervising officers of the persons of interest": the officer is
///   told; the summary (criminal intelligence, 28 CFR Part 23) and the other persons of interest
///   are withheld.
/// - `restricted` — "only with named task-force members" — and `confidential` — "existence only;
///   details on request to the lead agency": the officer is told nothing.
///
/// Beyond the sensitivity only on a Part 23 basis (glossary `subscriptionEventKind`
/// `investigations`): a person subscription for `investigations` with legal basis
/// `criminal_intelligence` — whoever holds it, the officer, their unit or agency — routes it
/// under `subscription-investigations`, with the summary for `routine` and `restricted`, and
/// for `confidential` its existence alone (who leads it and whom to ask; no summary, no area).
/// A subscription on any other basis routes no investigation.
///
/// An update names who its (merged) state names after it: its own persons of interest if it
/// lists them, else those named before; its sensitivity if it gives one, else the one before.
/// Each notification is recorded (`police_investigation_receipts`) for the closure
/// (`InvestigationClosedPurge`).
enum InvestigationNamedSupervisee {
    static let rule = "investigation-named-supervisee"

    /// What a recipient may be told of an investigation.
    enum Disclosure: Sendable, Hashable {
        /// The supervising officer under `routine`: all but the summary and the other people.
        case supervision
        /// A Part 23 subscriber, `routine` or `restricted`: with the summary.
        case criminalIntelligence
        /// A Part 23 subscriber, `confidential`: who leads it and whom to ask, nothing more.
        case existenceOnly
    }

    /// What `audience` may be told of an investigation in `state`; nil: nothing.
    static func disclosure(_ state: InvestigationState, for audience: PoliceAudience) -> Disclosure? {
        switch audience {
        case .supervision:
            return state.sensitivity == .routine ? .supervision : nil
        case .subscription(let subscription):
            guard subscription.legalBasis.basis == .criminalIntelligence else { return nil }
            return state.sensitivity == .confidential ? .existenceOnly : .criminalIntelligence
        }
    }

    /// The state after `opened`.
    static func state(_ opened: InvestigationOpened) -> InvestigationState {
        InvestigationState(leadAgencyId: opened.leadAgencyId, sensitivity: opened.sensitivity, summary: opened.summary, area: opened.area, contact: opened.contact)
    }

    /// The state after `updated`, on `state`.
    static func state(_ state: InvestigationState, after updated: InvestigationUpdated) -> InvestigationState {
        var next = state
        if let sensitivity = updated.sensitivity { next.sensitivity = sensitivity }
        if let summary = updated.summary { next.summary = summary }
        if let area = updated.area { next.area = area }
        return next
    }

    static func notifications(for fact: InvestigationFact, audiences: [PoliceAudience]) -> [BusNotification] {
        audiences.compactMap { audience in
            disclosure(fact.state, for: audience).map { InvestigationNotification.make(fact, for: audience, disclosure: $0) }
        }
    }
}
