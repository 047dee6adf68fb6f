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

    static let prosecutorPending = "warrant-check-prosecutor"
    static let reopened = "warrant-check-reopened"
    static let hold = "warrant-check-hold"
    static let holdLifted = "warrant-check-hold-lifted"
    static let escalation = "warrant-check-escalation"
    static let releasedUnresolved = "released-with-unresolved-warrant"
    static let movedAway = "release-moved-away"
    static let releasedLinked = "released-person-linked-to-active-warrant"

    /// The event a notification or a check event comes from.
    struct Source {
        /// Its event id, lowercased.
        var id: String
        var eventType: String
        var occurredAt: Date

        init<Payload>(_ envelope: EventEnvelope<Payload>) {
            id = envelope.eventId.uuidString.lowercased()
            eventType = envelope.eventType
            occurredAt = envelope.occurredAt
        }

        /// An event that is not an agency event (a `bus.identity` decision, made at `occurredAt`).
        init(id: String, eventType: String, occurredAt: Date) {
            self.id = id.lowercased()
            self.eventType = eventType
            self.occurredAt = occurredAt
        }

        /// A tick of the bus's clock: it occurred at its own instant.
        init(tick id: String, eventType: String, at: Date) {
            self.id = id.lowercased()
            self.eventType = eventType
            occurredAt = at
        }
    }

    /// A check's status from what it lists: `hold` while a detainer is active (another agency
    /// takes custody, whatever the warrants), else `pending` while a warrant is active, else
    /// `clear`.
    /// `identified`: the release names the person by state ID or FBI number, or the person
    /// index linked them to a record that does; without, nothing listed is `unconfirmed`.
    static func status(warrants: [Warrant], detainers: [Detainer], identified: Bool) -> String {
        !detainers.isEmpty ? "hold" : !warrants.isEmpty ? "pending" : identified ? "clear" : "unconfirmed"
    }

    // MARK: Releases

    /// The check a scheduled release opens: `pending` with the person's active warrants,
    /// `clear` without.
    static func check(
        for scheduled: EventEnvelope<ReleaseScheduled>, activeWarrants: [Warrant], activeDetainers: [Detainer] = [], identified: Bool
    ) -> WarrantCheck {
        let release = scheduled.payload
        return WarrantCheck(
            releaseId: release.releaseId, stateId: scheduled.subject?.stateId, fbiNumber: scheduled.subject?.fbiNumber,
            status: status(warrants: activeWarrants, detainers: activeDetainers, identified: identified), scheduled: true, closed: false,
            facilityId: release.facility.facilityId, facilityName: release.facility.name,
            releaseAt: Describe.instant(release.expectedAt), releaseType: release.releaseType.rawValue,
            destination: release.destination, subject: scheduled.subject, supervisingAgencyId: release.supervisingAgencyId,
            releasingAgencyId: scheduled.source.agencyId, expectedAtMilliseconds: CheckEscalation.milliseconds(release.expectedAt))
    }

    /// The (closed) check recorded for a release that happened with no schedule read before.
    static func check(
        for completed: EventEnvelope<ReleaseCompleted>, activeWarrants: [Warrant], activeDetainers: [Detainer] = [], identified: Bool
    ) -> WarrantCheck {
        let release = completed.payload
        return WarrantCheck(
            releaseId: release.releaseId, stateId: completed.subject?.stateId, fbiNumber: completed.subject?.fbiNumber,
            status: status(warrants: activeWarrants, detainers: activeDetainers, identified: identified), scheduled: false, closed: true,
            facilityId: release.facility.facilityId, facilityName: release.facility.name,
            releaseAt: Describe.instant(release.releasedAt), releaseType: release.releaseType.rawValue,
            destination: release.destination, subject: completed.subject, supervisingAgencyId: release.supervisingAgencyId,
            releasingAgencyId: completed.source.agencyId, expectedAtMilliseconds: CheckEscalation.milliseconds(release.releasedAt))
    }

    /// Rules `warrant-check-pending`, `warrant-check-prosecutor` and `release-warrant-pending`:
    /// each issuing agency is asked to resolve its warrants before the release, and the
    /// prosecutor the directory says serves it likewise (agencies in id order), then the police
    /// agency of the destination city (`DestinationPolice`, asking `directory`), if a
    /// destination is given, is told a person with a warrant pending is releasing into its
    /// jurisdiction. Nothing without warrants.
    static func pendingNotifications(
        _ check: WarrantCheck, warrants: [Warrant], source: Source, directory: AgencyDirectory
    ) -> [BusNotification] {
        guard !warrants.isEmpty else { return [] }
        var notifications: [BusNotification] = []
        for court in Set(warrants.map(\.issuingAgencyId)).sorted() {
            let own = warrants.filter { $0.issuingAgencyId == court }
            notifications.append(PendingCheckNotification.court(court, check: check, warrants: own, source: source))
            if let prosecutor = directory.prosecutor(servingCourt: court), prosecutor.agencyId != court {
                notifications.append(PendingCheckNotification.prosecutor(prosecutor.agencyId, court: court, check: check, warrants: own, source: source))
            }
        }
        if let destination = check.destination {
            notifications.append(PendingCheckNotification.police(
                DestinationPolice.recipient(for: destination, in: directory), destination: destination, check: check, warrants: warrants, source: source))
        }
        return notifications
    }

    /// Less notice of a release than this, with a warrant or detainer on its check, leaves the
    /// courts, prosecutors, holding agencies and police too little time: the pending and hold
    /// notices of such a schedule (or of a move into it, or of a warrant issued or detainer
    /// lodged within it) are URGENT, as the router's `short-notice-release` is (the same 72 hours).
    static let shortNoticeWindow: TimeInterval = 72 * 3_600

    /// Whether a release expected at `expectedAt` was announced (by an event that occurred at
    /// `announcedAt`) less than ``shortNoticeWindow`` ahead, by the event's own times.
    static func isShortNotice(expectedAt: Date, announcedAt: Date) -> Bool {
        expectedAt.timeIntervalSince(announcedAt) < shortNoticeWindow
    }

    /// Whether `check`'s release is expected less than ``shortNoticeWindow`` after `moment` (a
    /// warrant issued or a detainer lodged then leaves its resolvers too little time).
    static func isShortNotice(_ check: WarrantCheck, at moment: Date) -> Bool {
        guard let expected = check.expectedAtMilliseconds else { return false }
        return isShortNotice(expectedAt: Date(timeIntervalSince1970: Double(expected) / 1_000), announcedAt: moment)
    }

    /// `notifications` made URGENT for a release with less than 72 hours' notice: the
    /// priority raised (the inbox asks for acknowledgement and escalates to the duty desk) and
    /// the summary saying why.
    static func urgentForShortNotice(_ notifications: [BusNotification]) -> [BusNotification] {
        notifications.map { notification in
            var urgent = notification
            urgent.priority = .urgent
            urgent.summary = "URGENT, less than 72 hours' notice: " + notification.summary
            urgent.facts.append(NotificationFact("notice", "release scheduled less than 72 hours ahead"))
            return urgent
        }
    }

    /// Rule `unscheduled-release-active-warrant`: a release with no prior schedule while the
    /// person has active warrants is urgent for the destination's police agency (if a
    /// destination is given; `DestinationPolice`, asking `directory`) and each issuing agency
    /// (in id order), each followed by the prosecutor serving it. Nothing without warrants.
    static func unscheduledReleaseNotifications(
        _ completed: EventEnvelope<ReleaseCompleted>, warrants: [Warrant], directory: AgencyDirectory
    ) -> [BusNotification] {
        guard !warrants.isEmpty else { return [] }
        let police = completed.payload.destination.map { DestinationPolice.recipient(for: $0, in: directory) }
        var recipients: [(Recipient, [Warrant])] = police.map { [($0, warrants)] } ?? []
        for court in Set(warrants.map(\.issuingAgencyId)).sorted() {
            let own = warrants.filter { $0.issuingAgencyId == court }
            recipients.append((.agency(court), own))
            if let prosecutor = directory.prosecutor(servingCourt: court), prosecutor.agencyId != court {
                recipients.append((.agency(prosecutor.agencyId), own))
            }
        }
        var seen: Set<Recipient> = []
        return recipients.filter { seen.insert($0.0).inserted }.map { recipient, matched in
            UnscheduledReleaseNotification.make(
                recipient, isPolice: recipient == police, completed: completed, warrants: warrants, matchedWarrants: matched)
        }
    }

    /// Rule `released-person-linked-to-active-warrant`: the person index linked the subject of
    /// a release that already happened to the subject of active `warrants` the check did not
    /// list → URGENT to each issuing court (id order), the prosecutor serving it, and the
    /// police of the destination the release gave (if any; `DestinationPolice`).
    static func releasedLinkedNotifications(
        _ check: WarrantCheck, warrants: [Warrant], completedAt: Date, source: Source, directory: AgencyDirectory
    ) -> [BusNotification] {
        guard !warrants.isEmpty else { return [] }
        var recipients: [(Recipient, [Warrant], Address?)] = []
        for court in Set(warrants.map(\.issuingAgencyId)).sorted() {
            let own = warrants.filter { $0.issuingAgencyId == court }
            recipients.append((.agency(court), own, nil))
            if let prosecutor = directory.prosecutor(servingCourt: court), prosecutor.agencyId != court {
                recipients.append((.agency(prosecutor.agencyId), own, nil))
            }
        }
        if let destination = check.destination {
            recipients.append((DestinationPolice.recipient(for: destination, in: directory), warrants, destination))
        }
        var seen: Set<Recipient> = []
        return recipients.filter { seen.insert($0.0).inserted }.map { recipient, own, city in
            LinkedWarrantNotification.releasedLinked(recipient, check: check, warrants: own, city: city, completedAt: completedAt, source: source)
        }
    }

    // MARK: Detainers, escalation, release

    /// Rule `warrant-check-hold`: each detainer's holding agency is told the release is held for it.
    static func holdNotifications(_ check: WarrantCheck, detainers: [Detainer], source: Source) -> [BusNotification] {
        detainers.map { HoldNotification.hold($0, check: check, source: source) }
    }

    /// Rule `warrant-check-hold-lifted`: the holding agency and the releasing facility are told
    /// the detainer was lifted, and what the check is now.
    static func liftedNotifications(_ check: WarrantCheck, detainer: Detainer, source: Source) -> [BusNotification] {
        distinct([.agency(detainer.holdingAgencyId), .facility(check.facilityId)]).map {
            HoldNotification.lifted($0, detainer: detainer, check: check, source: source)
        }
    }

    /// The issuing courts of `warrants` (id order), each followed by the prosecutor serving it
    /// (from `directory`), then the holding agencies of `detainers`.
    static func resolvers(warrants: [Warrant], detainers: [Detainer], directory: AgencyDirectory) -> [Recipient] {
        var recipients: [Recipient] = []
        for court in Set(warrants.map(\.issuingAgencyId)).sorted() {
            recipients.append(.agency(court))
            if let prosecutor = directory.prosecutor(servingCourt: court) { recipients.append(.agency(prosecutor.agencyId)) }
        }
        recipients += Set(detainers.map(\.holdingAgencyId)).sorted().map(Recipient.agency)
        return distinct(recipients)
    }

    /// Rule `warrant-check-escalation`: stage `days` of a check still `pending` or `hold` →
    /// the issuing courts, their prosecutors, the holding agencies and the releasing facility.
    static func escalationNotifications(
        _ check: WarrantCheck, days: Int, warrants: [Warrant], detainers: [Detainer], source: Source, directory: AgencyDirectory
    ) -> [BusNotification] {
        guard check.isUnresolved else { return [] }
        return distinct(resolvers(warrants: warrants, detainers: detainers, directory: directory) + [.facility(check.facilityId)]).map {
            UnresolvedCheckNotification.escalation($0, days: days, check: check, warrants: warrants, detainers: detainers, source: source)
        }
    }

    /// Rule `released-with-unresolved-warrant`: a release completed while its check was
    /// `pending` or `hold` → URGENT to the issuing courts, their prosecutors, the holding
    /// agencies, the police of the destination (`DestinationPolice`) and the supervising agency.
    static func releasedUnresolvedNotifications(
        _ check: WarrantCheck, completed: EventEnvelope<ReleaseCompleted>, warrants: [Warrant], detainers: [Detainer], directory: AgencyDirectory
    ) -> [BusNotification] {
        guard check.isUnresolved else { return [] }
        let release = completed.payload
        let destination = release.destination ?? check.destination
        var recipients = resolvers(warrants: warrants, detainers: detainers, directory: directory)
        if let destination { recipients.append(DestinationPolice.recipient(for: destination, in: directory)) }
        if let supervising = release.supervisingAgencyId ?? check.supervisingAgencyId { recipients.append(.agency(supervising)) }
        return distinct(recipients).map {
            UnresolvedCheckNotification.released(
                $0, check: check, releasedAt: Describe.instant(release.releasedAt), destination: destination, warrants: warrants,
                detainers: detainers, source: Source(completed))
        }
    }

    /// `recipients` without repeats, in their first order.
    static func distinct(_ recipients: [Recipient]) -> [Recipient] {
        var seen: Set<Recipient> = []
        return recipients.filter { seen.insert($0).inserted }
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
