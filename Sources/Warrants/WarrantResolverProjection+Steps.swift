import Contracts
import Directory
import Foundation
import Notifications
import ServiceKit
import Storage
import Timers

/// What one event did beyond the store: the notifications it sends (each about a release's
/// check, or none) and the checks it changed, in the order they changed, with the outcome of
/// those it closed. `WarrantResolverProjection.send` turns it into messages.
final class CheckEffects {
    private(set) var notifications: [(releaseId: String?, notification: BusNotification)] = []
    private(set) var changed: [String] = []
    private(set) var outcomes: [String: WarrantCheckEvent.Outcome] = [:]
    /// The event that changed the checks.
    private(set) var cause: WarrantCheckRules.Source?
    /// The event was refused as a sealed record's, and why (counted: `SealedRecordRefusal`).
    private(set) var refusals: [SealedRecordRefusal] = []

    /// The event is refused as a sealed `kind`'s: an order's digest matched for `reason`.
    func refused(_ kind: SealedRecordRefusal.Kind, _ reason: SealedRecordRefusal.Reason) {
        refusals.append(SealedRecordRefusal(kind, reason))
    }

    func notify(_ notifications: [BusNotification], about releaseId: String?) {
        self.notifications += notifications.map { (releaseId, $0) }
    }

    /// The check of `releaseId` changed (`outcome`: it closed so).
    func changed(_ releaseId: String, by cause: WarrantCheckRules.Source, outcome: WarrantCheckEvent.Outcome? = nil) {
        if !changed.contains(releaseId) { changed.append(releaseId) }
        if let outcome { outcomes[releaseId] = outcome }
        self.cause = cause
    }
}

/// The steps: the store read, the rule applied, the store written, the effects noted.
extension WarrantResolverProjection {
    // MARK: Warrants

    /// `record`: the subject's record in the person index, if it names someone the index keeps.
    func warrantIssued(_ issued: EventEnvelope<WarrantIssued>, record: String? = nil, _ store: WarrantStore, _ effects: CheckEffects) throws {
        let warrantId = issued.payload.warrantId
        let court = issued.payload.issuingAgencyId
        guard try DirectoryStore(store.transaction).status(court) != nil else {
            throw PoisonMessage(reason: "\(WarrantIssued.eventType): payload.issuingAgencyId: no agency of that id in the agency directory (reference.agencies), so no court or prosecutor to ask")
        }
        var previous = try store.warrantStatus(warrantId)
        // Recalled (or quashed by a non-court), read before the issue, by an agency that did not
        // issue it: refused now as it would have been after the issue; the warrant is new.
        let foreignResolution = try store.resolvedByAnotherAgency(warrantId, issuer: court)
        if foreignResolution { previous = nil }
        if previous == nil,
            let reason = try store.sealedIssue(of: warrantId, by: court, occurredAtMilliseconds: SealingOrder.milliseconds(issued.occurredAt))
        {
            effects.refused(.warrant, reason)
            return  // removed by a later sealing order: not stored again (nor made active)
        }
        if foreignResolution { try store.dropForeignResolution(warrantId) }
        try store.saveIssued(issued)
        try store.restateRecord(record, of: .warrant, warrantId)
        guard WarrantCheckRules.issueJoinsOpenChecks(previousStatus: previous) else { return }
        let source = WarrantCheckRules.Source(issued)
        let direct = try store.openChecks(of: issued.subject)
        let linked = try linkedOpenChecks(of: record, besides: direct, store)
        for opened in direct + linked {
            try store.addWarrant(warrantId, toCheck: opened.releaseId)
            if linked.contains(opened) { try store.markLinked(.init(releaseId: opened.releaseId, kind: .warrant, itemId: warrantId)) }
            var check = opened
            check.status = try checkStatus(check, store)
            try store.setStatus(check.releaseId, check.status)
            let listed = try store.activeWarrants(on: check.releaseId).filter { $0.warrantId == warrantId }
            let directory = try directory(for: check.destination, courts: [court], store.transaction)
            var notifications = WarrantCheckRules.pendingNotifications(check, warrants: listed, source: source, directory: directory)
            let facility = Recipient.facility(check.facilityId).description
            if opened.status == "clear", try store.told(check.releaseId).contains(where: { $0.recipient == facility && $0.rule == WarrantCheckRules.clear }) {
                // A cleared check reopens: the facility that was told it may release is told again.
                notifications.append(PendingCheckNotification.reopened(check: check, warrants: listed, source: source))
            }
            if WarrantCheckRules.isShortNotice(check, at: issued.occurredAt) { notifications = WarrantCheckRules.urgentForShortNotice(notifications) }
            effects.notify(notifications, about: check.releaseId)
            effects.changed(check.releaseId, by: source)
        }
    }

    func warrantResolved<Payload>(
        _ warrantId: String, status: String, _ event: EventEnvelope<Payload>, _ store: WarrantStore, _ effects: CheckEffects
    ) throws {
        switch WarrantCheckRules.resolution(previousStatus: try store.warrantStatus(warrantId)) {
        case .recordResolved:
            // A warrant a later sealing order removed is not stored again.
            if let sealed = try store.sealing(ofWarrant: warrantId, namedBy: event.subject),
                sealed.orderedAtMilliseconds > SealingOrder.milliseconds(event.occurredAt)
            {
                effects.refused(.warrant, sealed.reason)
                return
            }
            try store.saveFirstSeenResolved(
                warrantId, status: status, subject: event.subject, resolvedBy: RecordAuthority.pendingJudgement(of: event.eventType, by: event.source))
        case .ignore:
            return
        case .resolve:
            try store.setWarrantStatus(warrantId, status)
            let source = WarrantCheckRules.Source(event)
            for releaseId in try store.openChecks(listingWarrant: warrantId) {
                guard var check = try store.check(releaseId) else { continue }
                let before = check.status
                check.status = try checkStatus(check, store)
                try store.setStatus(releaseId, check.status)
                if before != "clear" && check.status == "clear" {
                    effects.notify(WarrantCheckRules.clearNotifications(
                        check, warrantId: warrantId, status: status, source: source,
                        directory: try directory(for: check.destination, store.transaction)), about: releaseId)
                }
                effects.changed(releaseId, by: source)
            }
        }
    }

    // MARK: Detainers

    func detainerLodged(_ lodged: EventEnvelope<DetainerLodged>, record: String? = nil, _ store: WarrantStore, _ effects: CheckEffects) throws {
        let detainer = lodged.payload
        guard try DirectoryStore(store.transaction).status(detainer.requestingAgencyId) != nil else {
            throw PoisonMessage(reason: "\(DetainerLodged.eventType): payload.requestingAgencyId: no holding agency of that id in the agency directory (reference.agencies), so nobody to hand the person to")
        }
        let previous = try store.detainerStatus(detainer.detainerId)
        let occurredAt = SealingOrder.milliseconds(lodged.occurredAt)
        if previous == nil, let reason = try store.sealedItem(.detainer, detainer.detainerId, occurredAtMilliseconds: occurredAt) {
            effects.refused(.detainer, reason)
            return  // removed by a later sealing order: not stored again
        }
        if previous == nil, let warrantId = detainer.warrantId, let sealed = try store.sealing(ofWarrant: warrantId, namedBy: lodged.subject),
            sealed.orderedAtMilliseconds > occurredAt
        {
            // Lodged on a warrant a later order removed (its case was listed), read after the
            // order: the sealed case's, not stored; remembered, so that no later event about it
            // (its lifting, a lodging sent again) stores it either.
            try store.noteRefused(detainer: detainer.detainerId, orderedAtMilliseconds: sealed.orderedAtMilliseconds)
            effects.refused(.detainer, sealed.reason)
            return
        }
        if previous == nil, let warrantId = detainer.warrantId,
            let reason = try SealingLedger(store.transaction).coveringReason(
                warrant: warrantId, stateId: lodged.subject?.stateId, fbiNumber: lodged.subject?.fbiNumber, occurredAtMilliseconds: occurredAt)
        {
            // On a warrant of the person it names (or naming no number that says whose) the
            // runtime did not keep under a listed-case order (a replay applies orders first):
            // refused, and remembered as above (the ledger does not say the order's time: the
            // lodging's stands in). Another person's detainer on a warrant of the same id
            // (another court's) is theirs, and kept.
            try store.noteRefused(detainer: detainer.detainerId, orderedAtMilliseconds: occurredAt)
            effects.refused(.detainer, reason)
            return
        }
        try store.saveLodged(lodged)
        try store.restateRecord(record, of: .detainer, detainer.detainerId)
        guard previous == nil else { return }  // re-sent, or lifted before it was read
        let source = WarrantCheckRules.Source(lodged)
        let direct = try store.openChecks(of: lodged.subject)
        let linked = try linkedOpenChecks(of: record, besides: direct, store)
        for opened in direct + linked {
            try store.addDetainer(detainer.detainerId, toCheck: opened.releaseId)
            if linked.contains(opened) { try store.markLinked(.init(releaseId: opened.releaseId, kind: .detainer, itemId: detainer.detainerId)) }
            var check = opened
            check.status = "hold"
            try store.setStatus(check.releaseId, check.status)
            let listed = try store.activeDetainers(on: check.releaseId).filter { $0.detainerId == detainer.detainerId }
            let holds = WarrantCheckRules.holdNotifications(check, detainers: listed, source: source)
            effects.notify(
                WarrantCheckRules.isShortNotice(check, at: lodged.occurredAt) ? WarrantCheckRules.urgentForShortNotice(holds) : holds,
                about: check.releaseId)
            effects.changed(check.releaseId, by: source)
        }
    }

    func detainerLifted(_ lifted: EventEnvelope<DetainerLifted>, _ store: WarrantStore, _ effects: CheckEffects) throws {
        let detainerId = lifted.payload.detainerId
        switch try store.detainerStatus(detainerId) {
        case nil:
            // A detainer a later sealing order removed is not stored again.
            if let reason = try store.sealedItem(.detainer, detainerId, occurredAtMilliseconds: SealingOrder.milliseconds(lifted.occurredAt)) {
                effects.refused(.detainer, reason)
                return
            }
            try store.saveFirstSeenLifted(detainerId, subject: lifted.subject)  // a lodging read later stays lifted
        case "active":
            try store.setDetainerLifted(detainerId)
            guard let detainer = try store.detainer(detainerId) else { return }
            let source = WarrantCheckRules.Source(lifted)
            for releaseId in try store.openChecks(listingDetainer: detainerId) {
                guard var check = try store.check(releaseId) else { continue }
                check.status = try checkStatus(check, store)
                try store.setStatus(releaseId, check.status)
                effects.notify(WarrantCheckRules.liftedNotifications(check, detainer: detainer, source: source), about: releaseId)
                effects.changed(releaseId, by: source)
            }
        default:
            return
        }
    }

    // MARK: Releases

    /// The release's check as it stands (nil: never opened), read once for the step that
    /// follows, after refusing an event from an agency other than the one whose schedule or
    /// completion opened it (`RecordAuthority.releaseChanged`).
    func knownCheck(of releaseId: String, _ event: AdmittedEvent, by source: SourceAgency, _ store: WarrantStore) throws -> Check? {
        let check = try store.check(releaseId)
        try RecordAuthority.releaseChanged(event.eventType, releaseId: releaseId, by: source, releasingAgency: check?.releasingAgencyId)
        return check
    }

    /// A release scheduled opens its check; scheduled again after a cancellation (by an event
    /// that occurred after it), the check is opened again with the person's items as they stand
    /// now and everyone told as for a first schedule (the cancellation had closed it quietly).
    /// A schedule re-sent while the check is open, after the release happened, or from before
    /// the cancellation changes nothing.
    func releaseScheduled(
        _ scheduled: EventEnvelope<ReleaseScheduled>, record: String? = nil, existing: Check?, _ store: WarrantStore, _ effects: CheckEffects
    ) throws {
        let releaseId = scheduled.payload.releaseId
        let reopening = existing != nil
        if reopening {
            guard try store.reopensAfterCancellation(releaseId, occurredAt: CheckEscalation.milliseconds(scheduled.occurredAt)) else { return }
        } else if let reason = try store.sealedItem(.release, releaseId, occurredAtMilliseconds: SealingOrder.milliseconds(scheduled.occurredAt)) {
            // A release a later sealing order removed is not opened again.
            effects.refused(.release, reason)
            return
        }
        let (warrants, detainers) = try personItems(of: scheduled.subject, record: record, release: releaseId, store)
        let identified = try isIdentified(scheduled.subject, record: record, releaseId: releaseId, store)
        let check = WarrantCheckRules.check(for: scheduled, activeWarrants: warrants, activeDetainers: detainers, identified: identified)
        if reopening {
            try store.reopen(check, warrants: warrants, detainers: detainers)
        } else {
            try store.insert(check, warrants: warrants, detainers: detainers)
        }
        try markLinked(warrants, detainers, release: check.releaseId, record: record, subject: scheduled.subject, store)
        let source = WarrantCheckRules.Source(scheduled)
        let directory = try directory(for: check.destination, courts: warrants.map(\.issuingAgencyId), store.transaction)
        let notices = WarrantCheckRules.pendingNotifications(check, warrants: warrants, source: source, directory: directory)
            + WarrantCheckRules.holdNotifications(check, detainers: detainers, source: source)
        let shortNotice = WarrantCheckRules.isShortNotice(expectedAt: scheduled.payload.expectedAt, announcedAt: scheduled.occurredAt)
        effects.notify(shortNotice ? WarrantCheckRules.urgentForShortNotice(notices) : notices, about: check.releaseId)
        effects.changed(check.releaseId, by: source)
    }

    /// A release moved: a new date moves the deadlines (escalation starts again for it); a new
    /// destination tells the new city's police of what is unresolved and the old city's police,
    /// if it was told anything, that the release no longer concerns it. A change for a release
    /// the resolver never saw scheduled is refused (dead letter); one after the release closed
    /// changes nothing.
    func releaseChanged(_ changed: EventEnvelope<ReleaseChanged>, existing: Check?, _ store: WarrantStore, _ effects: CheckEffects) throws {
        let change = changed.payload
        guard let original = existing else {
            // A release a later sealing order removed was scheduled: its change is the sealed person's, not kept.
            if let reason = try store.sealedItem(.release, change.releaseId, occurredAtMilliseconds: SealingOrder.milliseconds(changed.occurredAt)) {
                effects.refused(.release, reason)
                return
            }
            throw PoisonMessage(reason: "\(ReleaseChanged.eventType): payload.releaseId: no release of that id was scheduled (custody.release.scheduled) before this change")
        }
        guard !original.closed else { return }
        let source = WarrantCheckRules.Source(changed)
        var check = original
        var moved = false
        // Moved to less than 72 hours ahead from a date further off: the courts, prosecutors,
        // holding agencies and police are told again, URGENT (below), the police of the
        // destination as it now stands among them.
        let movedIntoShortNotice = change.expectedAt.map { expectedAt in
            CheckEscalation.milliseconds(expectedAt) != original.expectedAtMilliseconds
                && WarrantCheckRules.isShortNotice(expectedAt: expectedAt, announcedAt: changed.occurredAt)
                && !(original.expectedAtMilliseconds.map {
                    WarrantCheckRules.isShortNotice(expectedAt: Date(timeIntervalSince1970: Double($0) / 1_000), announcedAt: changed.occurredAt)
                } ?? false)
        } ?? false
        if let expectedAt = change.expectedAt, CheckEscalation.milliseconds(expectedAt) != original.expectedAtMilliseconds {
            check.releaseAt = Describe.instant(expectedAt)
            check.expectedAtMilliseconds = CheckEscalation.milliseconds(expectedAt)
            try store.moveRelease(check.releaseId, expectedAt: CheckEscalation.milliseconds(expectedAt), releaseAt: check.releaseAt)
            moved = true
        }
        if let supervising = change.supervisingAgencyId, supervising != original.supervisingAgencyId {
            check.supervisingAgencyId = supervising
            try store.setSupervisingAgency(check.releaseId, supervising)
            moved = true
        }
        if let destination = change.destination, destination != original.destination {
            check.destination = destination
            try store.setDestination(check.releaseId, destination)
            moved = true
            let warrants = try store.activeWarrants(on: check.releaseId)
            let directory = try directory(for: destination, store.transaction)
            let newPolice = DestinationPolice.recipient(for: destination, in: directory)
            var oldPolice: Recipient?
            if let old = original.destination {
                oldPolice = DestinationPolice.recipient(for: old, in: try self.directory(for: old, store.transaction))
            }
            if newPolice != oldPolice {
                if !warrants.isEmpty && !movedIntoShortNotice {
                    effects.notify(
                        [PendingCheckNotification.police(newPolice, destination: destination, check: check, warrants: warrants, source: source)],
                        about: check.releaseId)
                }
                let told = Set(try store.told(check.releaseId).map(\.recipient))
                if let old = original.destination, let oldPolice, told.contains(oldPolice.description) {
                    effects.notify([UnresolvedCheckNotification.movedAway(oldPolice, old: old, check: check, source: source)], about: check.releaseId)
                }
            }
        }
        if movedIntoShortNotice {
            let warrants = try store.activeWarrants(on: check.releaseId)
            let detainers = try store.activeDetainers(on: check.releaseId)
            let directory = try directory(for: check.destination, courts: warrants.map(\.issuingAgencyId), store.transaction)
            effects.notify(
                WarrantCheckRules.urgentForShortNotice(
                    WarrantCheckRules.pendingNotifications(check, warrants: warrants, source: source, directory: directory)
                        + WarrantCheckRules.holdNotifications(check, detainers: detainers, source: source)),
                about: check.releaseId)
        }
        if moved { effects.changed(check.releaseId, by: source) }
    }

    func releaseCompleted(
        _ completed: EventEnvelope<ReleaseCompleted>, record: String? = nil, existing: Check?, _ store: WarrantStore, _ effects: CheckEffects
    ) throws {
        let releaseId = completed.payload.releaseId
        let source = WarrantCheckRules.Source(completed)
        // Completed after a cancellation: a release no schedule stood for, judged as one
        // completed with none read before (urgent with an active warrant), in the same check.
        let reopening = existing?.closed == true
        if reopening {
            // Re-sent (the release happened), or from before the cancellation: nothing.
            guard try store.reopensAfterCancellation(releaseId, occurredAt: CheckEscalation.milliseconds(completed.occurredAt)) else { return }
        } else if let check = existing {
            try store.close(releaseId, completedAtMilliseconds: CheckEscalation.milliseconds(completed.payload.releasedAt))
            let warrants = try store.activeWarrants(on: releaseId)
            let detainers = try store.activeDetainers(on: releaseId)
            let destination = completed.payload.destination ?? check.destination
            let directory = try directory(for: destination, courts: warrants.map(\.issuingAgencyId), store.transaction)
            effects.notify(
                WarrantCheckRules.releasedUnresolvedNotifications(check, completed: completed, warrants: warrants, detainers: detainers, directory: directory),
                about: releaseId)
            effects.changed(releaseId, by: source, outcome: .ofRelease(check))
            return
        }
        // A release a later sealing order removed is not opened again.
        if !reopening,
            let reason = try store.sealedItem(.release, releaseId, occurredAtMilliseconds: SealingOrder.milliseconds(completed.occurredAt)) {
            effects.refused(.release, reason)
            return
        }
        let (warrants, detainers) = try personItems(of: completed.subject, record: record, release: releaseId, store)
        let identified = try isIdentified(completed.subject, record: record, releaseId: releaseId, store)
        let check = WarrantCheckRules.check(for: completed, activeWarrants: warrants, activeDetainers: detainers, identified: identified)
        if reopening {
            try store.reopen(check, warrants: warrants, detainers: detainers)
        } else {
            try store.insert(check, warrants: warrants, detainers: detainers)
        }
        try store.close(releaseId, completedAtMilliseconds: CheckEscalation.milliseconds(completed.payload.releasedAt))
        try markLinked(warrants, detainers, release: releaseId, record: record, subject: completed.subject, store)
        let directory = try directory(for: completed.payload.destination, courts: warrants.map(\.issuingAgencyId), store.transaction)
        effects.notify(
            WarrantCheckRules.unscheduledReleaseNotifications(completed, warrants: warrants, directory: directory)
                + WarrantCheckRules.holdNotifications(check, detainers: detainers, source: source),
            about: releaseId)
        effects.changed(releaseId, by: source, outcome: .ofRelease(check))
    }

    /// The person's active warrants and detainers for a new check: matched by state ID or FBI
    /// number, and through the person index (`record`, remembered as the release's), by id.
    private func personItems(
        of subject: SubjectIdentifiers?, record: String?, release releaseId: String, _ store: WarrantStore
    ) throws -> (warrants: [Warrant], detainers: [Detainer]) {
        if let record { try store.setRecord(record, of: .release, releaseId) }
        let warrants = try store.activeWarrants(of: subject)
        let detainers = try store.activeDetainers(of: subject)
        let linked = try linkedItems(of: record, besides: warrants, detainers, store)
        return ((warrants + linked.warrants).sorted { $0.warrantId < $1.warrantId }, (detainers + linked.detainers).sorted { $0.detainerId < $1.detainerId })
    }

    /// Notes which of a new check's items it lists through the index (not by number).
    private func markLinked(
        _ warrants: [Warrant], _ detainers: [Detainer], release releaseId: String, record: String?, subject: SubjectIdentifiers?, _ store: WarrantStore
    ) throws {
        guard record != nil else { return }
        let direct = Set(try store.activeWarrants(of: subject).map(\.warrantId))
        let directDetainers = Set(try store.activeDetainers(of: subject).map(\.detainerId))
        for warrant in warrants where !direct.contains(warrant.warrantId) {
            try store.markLinked(.init(releaseId: releaseId, kind: .warrant, itemId: warrant.warrantId))
        }
        for detainer in detainers where !directDetainers.contains(detainer.detainerId) {
            try store.markLinked(.init(releaseId: releaseId, kind: .detainer, itemId: detainer.detainerId))
        }
    }

    func releaseCancelled(_ cancelled: EventEnvelope<ReleaseCancelled>, existing: Check?, _ store: WarrantStore, _ effects: CheckEffects) throws {
        let releaseId = cancelled.payload.releaseId
        guard let check = existing, !check.closed else { return }
        try store.cancel(releaseId, atMilliseconds: CheckEscalation.milliseconds(cancelled.occurredAt))
        effects.changed(releaseId, by: WarrantCheckRules.Source(cancelled), outcome: .cancelled)
    }

    // MARK: The clock

    /// A tick of the bus's clock: each open check still `pending` or `hold` whose next stage is
    /// due escalates (`CheckEscalation`). An old or repeated tick does nothing.
    func tick(_ tick: TimerTick, _ store: WarrantStore, _ effects: CheckEffects) throws {
        let now = tick.atMilliseconds
        if let last = try store.lastTick(), now <= last { return }
        try store.recordTick(now)
        let source = WarrantCheckRules.Source(tick: tick.id, eventType: TimerTick.eventType, at: tick.at)
        for check in try store.checksDueForEscalation(now: now) {
            guard let expected = check.expectedAtMilliseconds,
                  let days = CheckEscalation.stageDue(expectedAt: expected, escalatedDays: check.escalatedDays, now: now) else { continue }
            try store.recordEscalation(check.releaseId, days: days, nextDue: CheckEscalation.nextDue(expectedAt: expected, escalatedDays: days))
            let warrants = try store.activeWarrants(on: check.releaseId)
            let detainers = try store.activeDetainers(on: check.releaseId)
            let directory = try directory(for: nil, courts: warrants.map(\.issuingAgencyId), store.transaction)
            effects.notify(
                WarrantCheckRules.escalationNotifications(check, days: days, warrants: warrants, detainers: detainers, source: source, directory: directory),
                about: check.releaseId)
            effects.changed(check.releaseId, by: source)
        }
    }
}
