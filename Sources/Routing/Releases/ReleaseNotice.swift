import Contracts
import Foundation
import Notifications

/// One release event (`custody.releases`) as the release rules read it: what happened to which
/// release of whom, completed with what the router knew of the release before (a change or a
/// cancellation names only what changed). Kept (JSON) so that a case read after the event still
/// receives its notice; built from the event and the release's state, never from a clock.
struct ReleaseNotice: Codable, Sendable, Hashable {
    enum Kind: String, Codable, Sendable {
        case scheduled, changed, cancelled, completed
    }

    var eventId: String
    var eventType: String
    var kind: Kind
    var occurredAt: Date
    var releaseId: String
    var subject: SubjectIdentifiers?
    /// The facility's name and id, when known (a change or cancellation of an unknown release has none).
    var facility: Facility?
    var releaseType: String?
    /// Expected (scheduled, changed) or actual (completed) time; for a cancellation, the date it had.
    var at: Date?
    /// For a change that moved the date.
    var previousAt: Date?
    var destination: Address?
    var supervisingAgencyId: String?
    /// The reason of a change or cancellation.
    var reason: String?
    /// Whether the release gives the destination's police and the supervising agency too little
    /// notice: completed without a schedule read before, or scheduled (or moved) less than 72
    /// hours before its expected time, by the event's own times.
    var isShortNotice: Bool

    /// Less notice than this is short notice (`short-notice-release`).
    static let shortNoticeWindow: TimeInterval = 72 * 3_600

    /// The day the release happens or is expected (UTC), else the day of the event.
    var releaseDay: String { Describe.day(at ?? occurredAt).description }
    var eventDay: String { Describe.day(occurredAt).description }

    /// "release scheduled for 2025-05-03T14:00:00Z", as the "what" fact says it.
    var what: String {
        switch kind {
        case .scheduled: "release scheduled for \(at.map(Describe.instant) ?? "a date not given")"
        case .changed:
            if let at, let previousAt { "release moved from \(Describe.instant(previousAt)) to \(Describe.instant(at)): \(reason ?? "")" }
            else if let at { "release changed, now expected \(Describe.instant(at)): \(reason ?? "")" }
            else { "release changed: \(reason ?? "")" }
        case .cancelled: "release cancelled: \(reason ?? "")"
        case .completed: "released at \(at.map(Describe.instant) ?? "a time not given")"
        }
    }

    /// The facts every release notice carries: who, what, from where, of which type, to where.
    /// Release details are criminal justice information and the destination personal data,
    /// which every recipient of these rules (criminal justice agencies, reentry services named
    /// by the release topic's contract) may receive.
    var facts: [NotificationFact] {
        var facts = [
            NotificationFact("who", Describe.identifiers(subject)),
            NotificationFact("what", what),
            NotificationFact("release", releaseId),
        ]
        if let facility { facts.append(NotificationFact("from", "\(facility.name) (\(facility.facilityId))")) }
        if let releaseType { facts.append(NotificationFact("release type", releaseType)) }
        facts.append(NotificationFact("destination", Describe.address(destination) ?? "not given"))
        if let supervisingAgencyId { facts.append(NotificationFact("supervising agency", supervisingAgencyId)) }
        return facts
    }

    /// The identifiers a notice matched on: the state ID (or FBI number) and the release.
    var matched: [MatchedIdentifier] {
        var matched: [MatchedIdentifier] = []
        if let stateId = subject?.stateId { matched.append(MatchedIdentifier("stateId", stateId)) }
        else if let fbi = subject?.fbiNumber { matched.append(MatchedIdentifier("fbiNumber", fbi)) }
        matched.append(MatchedIdentifier("releaseId", releaseId))
        return matched
    }

    var person: String { Describe.person(subject) }
}
