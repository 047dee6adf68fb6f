import Contracts
import Directory
import Foundation
import Notifications

/// The warrant resolver's rules, as plain functions of an event and what the store returned:
/// which check a release opens, what a resolution does to a warrant, and who is told what.
/// No storage, no clock; the wording of each notification is in its own type
/// (`PendingCheckNotification`, `ClearCheckNotification`, `UnscheduledReleaseNotification`).
enum WarrantCheckRules {
    /// Rule codes, as they appear in `NotificationReason.rule`.
    static let pending = "warrant-check-pending"
    static let policePending = "release-warrant-pending"
    static let clear = "warrant-check-clear"
    static let unscheduled = "unscheduled-release-active-warrant"

    /// The event a notification comes from.
    struct Source {
        var eventId: UUID
        var eventType: String
        var occurredAt: Date

        init<Payload>(_ envelope: EventEnvelope<Payload>) {
            eventId = envelope.eventId
            eventType = envelope.eventType
            occurredAt = envelope.occurredAt
        }

        var id: String { eventId.uuidString.lowercased() }
    }

    // MARK: Releases

    /// The check a scheduled release opens: `pending` with the person's active warrants,
    /// `clear` without.
    static func check(for scheduled: EventEnvelope<ReleaseScheduled>, activeWarrants: [Warrant]) -> WarrantCheck {
        let release = scheduled.payload
        return WarrantCheck(
            releaseId: release.releaseId, stateId: scheduled.subject?.stateId, fbiNumber: scheduled.subject?.fbiNumber,
            status: activeWarrants.isEmpty ? "clear" : "pending", scheduled: true, closed: false,
            facilityId: release.facility.facilityId, facilityName: release.facility.name,
            releaseAt: Describe.instant(release.expectedAt), releaseType: release.releaseType.rawValue,
            destination: release.destination, subject: scheduled.subject)
    }

    /// The (closed) check recorded for a release that happened with no schedule read before.
    static func check(for completed: EventEnvelope<ReleaseCompleted>, activeWarrants: [Warrant]) -> WarrantCheck {
        let release = completed.payload
        return WarrantCheck(
            releaseId: release.releaseId, stateId: completed.subject?.stateId, fbiNumber: completed.subject?.fbiNumber,
            status: activeWarrants.isEmpty ? "clear" : "pending", scheduled: false, closed: true,
            facilityId: release.facility.facilityId, facilityName: release.facility.name,
            releaseAt: Describe.instant(release.releasedAt), releaseType: release.releaseType.rawValue,
            destination: release.destination, subject: completed.subject)
    }

    /// Rules `warrant-check-pending` and `release-warrant-pending`: each issuing agency is asked
    /// to resolve its warrants before the release (agencies in id order), then the police
    /// agency of the destination city (`DestinationPolice`, asking `directory`), if a
    /// destination is given, is told a person with a warrant pending is releasing into its
    /// jurisdiction. Nothing without warrants.
    static func pendingNotifications(
        _ check: WarrantCheck, warrants: [Warrant], source: Source, directory: AgencyDirectory
    ) -> [BusNotification] {
        guard !warrants.isEmpty else { return [] }
        var notifications = Set(warrants.map(\.issuingAgencyId)).sorted().map { agency in
            PendingCheckNotification.court(agency, check: check, warrants: warrants.filter { $0.issuingAgencyId == agency }, source: source)
        }
        if let destination = check.destination {
            notifications.append(PendingCheckNotification.police(
                DestinationPolice.recipient(for: destination, in: directory), destination: destination, check: check, warrants: warrants, source: source))
        }
        return notifications
    }

    /// Rule `unscheduled-release-active-warrant`: a release with no prior schedule while the
    /// person has active warrants is urgent for the destination's police agency (if a
    /// destination is given; `DestinationPolice`, asking `directory`) and each issuing agency
    /// (in id order). Nothing without warrants.
    static func unscheduledReleaseNotifications(
        _ completed: EventEnvelope<ReleaseCompleted>, warrants: [Warrant], directory: AgencyDirectory
    ) -> [BusNotification] {
        guard !warrants.isEmpty else { return [] }
        let police = completed.payload.destination.map { DestinationPolice.recipient(for: $0, in: directory) }
        var recipients: [Recipient] = police.map { [$0] } ?? []
        recipients += Set(warrants.map { Recipient.agency($0.issuingAgencyId) }).sorted()
        return recipients.map { recipient in
            let isPolice = recipient == police
            return UnscheduledReleaseNotification.make(
                recipient, isPolice: isPolice, completed: completed, warrants: warrants,
                matchedWarrants: isPolice ? warrants : warrants.filter { recipient == .agency($0.issuingAgencyId) })
        }
    }

    // MARK: Warrants

    /// What a resolution (recalled, quashed, served) does, given the warrant's stored status.
    enum Resolution: Equatable {
        /// Never seen: record it resolved, so an issue read later does not make it active.
        case recordResolved
        /// Active: it is resolved now; checks listing it may have become clear.
        case resolve
        /// Already resolved: nothing changes.
        case ignore
    }

    static func resolution(previousStatus: String?) -> Resolution {
        switch previousStatus {
        case nil: .recordResolved
        case "active": .resolve
        default: .ignore
        }
    }

    /// Whether an issued warrant joins the person's open checks (and notifies): only the first
    /// time it is seen, not when re-sent or already resolved.
    static func issueJoinsOpenChecks(previousStatus: String?) -> Bool { previousStatus == nil }

    /// Whether a pending check becomes clear: none of its warrants is active any more.
    static func becomesClear(activeWarrantsLeft: [Warrant]) -> Bool { activeWarrantsLeft.isEmpty }

    /// Rule `warrant-check-clear`: the releasing facility, and the destination's police agency
    /// (`DestinationPolice`, asking `directory`) if a destination is given, are told the last
    /// active warrant was resolved.
    static func clearNotifications(
        _ check: WarrantCheck, warrantId: String, status: String, source: Source, directory: AgencyDirectory
    ) -> [BusNotification] {
        var recipients = [Recipient.facility(check.facilityId)]
        if let destination = check.destination { recipients.append(DestinationPolice.recipient(for: destination, in: directory)) }
        return recipients.map { ClearCheckNotification.make($0, check: check, warrantId: warrantId, status: status, source: source) }
    }

    /// The name under which a notification lists a warrant it is about (`reason.matched`):
    /// how a sealing order finds the notifications about a sealed warrant.
    static let warrantIdentifier = "warrantId"

    /// The identifiers a notification says matched: state ID, warrant ids, the city.
    static func matched(_ subject: SubjectIdentifiers?, warrants: [Warrant], city: Address?) -> [MatchedIdentifier] {
        var matched: [MatchedIdentifier] = []
        if let stateId = subject?.stateId { matched.append(MatchedIdentifier("stateId", stateId)) }
        for warrant in warrants { matched.append(MatchedIdentifier(warrantIdentifier, warrant.warrantId)) }
        if let city { matched.append(MatchedIdentifier("city", "\(city.city), \(city.state)")) }
        return matched
    }
}
