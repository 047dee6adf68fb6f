import Contracts
import Directory
import Foundation
import Notifications
import PersonIndexStore
import PersonLinks
import ServiceKit
import Storage

/// Matching through the person index (issue 19, item 3): a release's subject and a warrant's
/// (or detainer's) subject that share no state ID or FBI number are one person when
/// `bus.identity` links their records. The warrant then joins the release's check exactly as
/// one matched by number would, whichever of release, warrant and link was read last; an
/// unlink or split that separates the two records takes it off again and retracts, once, what
/// was said about it.
///
/// Record ids are the index's own (`PersonRecordIds`, one derivation for the index, the router
/// and the resolver). `bus.identity` is a reference topic, read in full by every instance.
extension WarrantResolverProjection {
    /// The subject record of an event (release, warrant, detainer), nil when it names nobody
    /// the index keeps (no family name); `sealed` when a sealing order removed the record after
    /// the event occurred (a late delivery, a replay): the event is the sealed person's.
    enum SubjectRecord {
        case record(String?)
        /// Removed by the order made at `orderedAtMilliseconds` (the latest, if several).
        case sealed(orderedAtMilliseconds: Int64)
    }

    func subjectRecord(of event: AdmittedEvent, occurredAt: Date, _ store: WarrantStore) throws -> SubjectRecord {
        guard let record = try PersonRecordIds.subject(of: event) else { return .record(nil) }
        if let orderedAt = try store.identity.sealedAfter([record], occurredAtMilliseconds: SealingOrder.milliseconds(occurredAt)) {
            return .sealed(orderedAtMilliseconds: orderedAt)
        }
        return .record(record)
    }

    /// The active warrants and detainers whose subject the index puts with `record`, less those
    /// already matched by number (`direct`, `directDetainers`).
    func linkedItems(
        of record: String?, besides direct: [Warrant], _ directDetainers: [Detainer], _ store: WarrantStore
    ) throws -> (warrants: [Warrant], detainers: [Detainer]) {
        guard let record else { return ([], []) }
        let records = try store.identity.records(samePersonAs: record)
        guard records.count > 1 else { return ([], []) }
        let warrants = try store.activeWarrants(withIds: try store.ids(of: .warrant, withRecords: records)).filter { !direct.contains($0) }
        let detainers = try store.activeDetainers(withIds: try store.ids(of: .detainer, withRecords: records)).filter { !directDetainers.contains($0) }
        return (warrants, detainers)
    }

    /// The open checks of releases whose subject the index puts with `record`, less `direct`.
    func linkedOpenChecks(of record: String?, besides direct: [WarrantCheck], _ store: WarrantStore) throws -> [WarrantCheck] {
        guard let record else { return [] }
        let records = try store.identity.records(samePersonAs: record)
        guard records.count > 1 else { return [] }
        let known = Set(direct.map(\.releaseId))
        return try store.ids(of: .release, withRecords: records).filter { !known.contains($0) }.compactMap { try store.check($0) }.filter { !$0.closed }
    }

    /// Whether warrants can be matched to the person of a release: its subject has a state ID
    /// or an FBI number, or the index puts its record (`record`) with the record of a warrant,
    /// detainer or other release the resolver keeps whose subject has one. Without, a check
    /// listing nothing is `unconfirmed`, not `clear`.
    func isIdentified(_ subject: SubjectIdentifiers?, record: String?, releaseId: String, _ store: WarrantStore) throws -> Bool {
        if !(subject?.stateId ?? "").isEmpty || !(subject?.fbiNumber ?? "").isEmpty { return true }
        return try linkIdentifies(record, releaseId: releaseId, store)
    }

    /// Whether the index puts the release's `record` with a numbered record the resolver keeps.
    private func linkIdentifies(_ record: String?, releaseId: String, _ store: WarrantStore) throws -> Bool {
        guard let record else { return false }
        let others = try store.identity.records(samePersonAs: record).filter { $0 != record }
        guard !others.isEmpty else { return false }
        for kind in WarrantStore.SubjectKind.allCases {
            let ids = try store.ids(of: kind, withRecords: others).filter { kind != .release || $0 != releaseId }
            if try store.anyNumbered(kind, ids) { return true }
        }
        return false
    }

    /// The status of `check` from what it lists now and whether its person is identified.
    func checkStatus(_ check: WarrantCheck, _ store: WarrantStore) throws -> String {
        let identified = try check.identifiedByNumber
            || linkIdentifies(store.record(of: .release, check.releaseId), releaseId: check.releaseId, store)
        return WarrantCheckRules.status(
            warrants: try store.activeWarrants(on: check.releaseId), detainers: try store.activeDetainers(on: check.releaseId), identified: identified)
    }

    // MARK: Identity events

    /// A `bus.identity` event: the mapping changes (`PersonLinks.apply`); a link or merge lets
    /// the person's warrants and detainers join the person's open checks; an unlink or split
    /// takes off those whose subject is no longer the release's.
    func identityDecided(_ event: AdmittedEvent, _ store: WarrantStore, _ effects: CheckEffects) throws {
        let (_, version) = try PersonLinks.decode(event)
        let source = WarrantCheckRules.Source(
            id: event.eventId, eventType: event.eventType, occurredAt: Date(timeIntervalSince1970: Double(version.atMilliseconds) / 1000))
        switch try store.identity.apply(event) {
        case .joined(let person): try joinLinked(person: person, source: source, at: version.atMilliseconds, store, effects)
        case .separated: try separateUnlinked(source: source, store, effects)
        case .ignored: return
        }
    }

    /// Every open check of the person's releases takes the person's active warrants and
    /// detainers it does not list yet, with the notifications a warrant issued (a detainer
    /// lodged) while the check was open sends.
    private func joinLinked(
        person: String, source: WarrantCheckRules.Source, at decidedAt: Int64, _ store: WarrantStore, _ effects: CheckEffects
    ) throws {
        let records = try store.identity.records(of: person)
        guard records.count > 1 else { return }
        try confirmIdentity(ofReleasesIn: records, source: source, store, effects)
        let warrantIds = try store.ids(of: .warrant, withRecords: records)
        let detainerIds = try store.ids(of: .detainer, withRecords: records)
        guard !warrantIds.isEmpty || !detainerIds.isEmpty else { return }
        for releaseId in try store.ids(of: .release, withRecords: records) {
            guard let opened = try store.check(releaseId) else { continue }
            guard !opened.closed else {
                try alertReleased(opened, warrantIds: warrantIds, source: source, at: decidedAt, store, effects)
                continue
            }
            let warrants = try store.activeWarrants(withIds: warrantIds).filter { try !store.lists(releaseId, warrant: $0.warrantId) }
            let detainers = try store.activeDetainers(withIds: detainerIds).filter { try !store.lists(releaseId, detainer: $0.detainerId) }
            guard !warrants.isEmpty || !detainers.isEmpty else { continue }
            for warrant in warrants {
                try store.addWarrant(warrant.warrantId, toCheck: releaseId)
                try store.markLinked(.init(releaseId: releaseId, kind: .warrant, itemId: warrant.warrantId))
            }
            for detainer in detainers {
                try store.addDetainer(detainer.detainerId, toCheck: releaseId)
                try store.markLinked(.init(releaseId: releaseId, kind: .detainer, itemId: detainer.detainerId))
            }
            var check = opened
            check.status = try checkStatus(check, store)
            try store.setStatus(releaseId, check.status)
            let directory = try directory(for: check.destination, courts: warrants.map(\.issuingAgencyId), store.transaction)
            var notifications = WarrantCheckRules.pendingNotifications(check, warrants: warrants, source: source, directory: directory)
            let facility = Recipient.facility(check.facilityId).description
            if !warrants.isEmpty, opened.status == "clear",
               try store.told(releaseId).contains(where: { $0.recipient == facility && $0.rule == WarrantCheckRules.clear }) {
                notifications.append(PendingCheckNotification.reopened(check: check, warrants: warrants, source: source))
            }
            notifications += WarrantCheckRules.holdNotifications(check, detainers: detainers, source: source)
            effects.notify(notifications, about: releaseId)
            effects.changed(releaseId, by: source)
        }
    }

    /// Each open `unconfirmed` check of a release among `records` whose person the link now
    /// identifies (``isIdentified(_:record:releaseId:_:)``) leaves `unconfirmed`: `clear`, or
    /// `pending`/`hold` when the warrants and detainers that joined it say so (the caller adds
    /// them next). A new revision is published; the facility reads it on `bus.warrant-checks`.
    private func confirmIdentity(
        ofReleasesIn records: [String], source: WarrantCheckRules.Source, _ store: WarrantStore, _ effects: CheckEffects
    ) throws {
        for releaseId in try store.ids(of: .release, withRecords: records) {
            guard var check = try store.check(releaseId), !check.closed, check.status == "unconfirmed" else { continue }
            check.status = try checkStatus(check, store)
            guard check.status != "unconfirmed" else { continue }
            try store.setStatus(releaseId, check.status)
            effects.changed(releaseId, by: source)
        }
    }

    /// A link read after the release happened: the check is closed and takes nothing new, but
    /// the person is out while a court wants them. If the release completed within
    /// `notificationRetention` of the decision (either side: a link decided before the release
    /// but read after it too), each active warrant of the person the check does not list yet is
    /// listed on it (through the link: an unlink retracts what follows, and a later decision
    /// joining the same records finds it listed and says nothing again), and its court, that
    /// court's prosecutor and the destination's police are told, URGENT
    /// (`released-person-linked-to-active-warrant`). The check's status and outcome stay those
    /// of the release, and no `bus.warrant-checks` event is published: what the jail was told
    /// at release was true then. Detainers are not alerted (the agency holding one asked for
    /// the person at release, which is past); a cancelled release has no completion and
    /// nothing is said.
    ///
    /// The window is the time the resolver remembers what it sent about the release (the
    /// releases topic's retention): within it, the alert is judged with the check's
    /// notifications still known and can be retracted; beyond it, the release is history the
    /// bus can no longer redeliver, and the court's own warrant process is the place for it.
    private func alertReleased(
        _ check: WarrantCheck, warrantIds: [String], source: WarrantCheckRules.Source, at decidedAt: Int64,
        _ store: WarrantStore, _ effects: CheckEffects
    ) throws {
        guard let completedAt = try store.completedAt(check.releaseId),
              abs(decidedAt - completedAt) <= notificationRetention.milliseconds else { return }
        let warrants = try store.activeWarrants(withIds: warrantIds).filter { try !store.lists(check.releaseId, warrant: $0.warrantId) }
        guard !warrants.isEmpty else { return }
        for warrant in warrants {
            try store.addWarrant(warrant.warrantId, toCheck: check.releaseId)
            try store.markLinked(.init(releaseId: check.releaseId, kind: .warrant, itemId: warrant.warrantId))
        }
        let directory = try directory(for: check.destination, courts: warrants.map(\.issuingAgencyId), store.transaction)
        effects.notify(
            WarrantCheckRules.releasedLinkedNotifications(
                check, warrants: warrants, completedAt: Date(timeIntervalSince1970: Double(completedAt) / 1000), source: source, directory: directory),
            about: check.releaseId)
    }

    /// Every item listed through a link whose subject and release's subject are no longer one
    /// person leaves its check (open or closed); the check's status is computed again, and each
    /// recipient told of the item gets one retraction naming what it was told.
    private func separateUnlinked(source: WarrantCheckRules.Source, _ store: WarrantStore, _ effects: CheckEffects) throws {
        for item in try store.linkedItems() {
            guard let releaseRecord = try store.record(of: .release, item.releaseId), let itemRecord = try store.record(of: item.kind, item.itemId),
                  try !store.identity.samePerson(releaseRecord, itemRecord) else { continue }
            try store.removeLinked(item)
            guard var check = try store.check(item.releaseId) else { continue }
            check.status = try checkStatus(check, store)
            try store.setStatus(item.releaseId, check.status)
            var byRecipient: [Recipient: [WarrantStore.LinkedNotice]] = [:]
            var order: [Recipient] = []
            for notice in try store.linkedNotices(about: item) {
                if byRecipient[notice.recipient] == nil { order.append(notice.recipient) }
                byRecipient[notice.recipient, default: []].append(notice)
            }
            _ = try store.forgetLinkedNotices(about: item)
            effects.notify(
                order.compactMap { LinkedWarrantNotification.retraction(of: byRecipient[$0] ?? [], item: item, check: check, source: source) },
                about: item.releaseId)
            effects.changed(item.releaseId, by: source)
        }
    }

    // MARK: Notifications

    /// `notification` about the check of `releaseId` with the index's part stated, if it tells
    /// of an item the check lists through a link; and those items.
    func linkedItemsTold(
        in notification: BusNotification, releaseId: String, _ store: WarrantStore
    ) throws -> (notification: BusNotification, items: [WarrantStore.LinkedItem]) {
        guard notification.reason.rule != LinkedWarrantNotification.retractionRule else { return (notification, []) }
        let linked = try store.linkedItems(on: releaseId)
        guard !linked.isEmpty else { return (notification, []) }
        let named = Set(notification.reason.matched.filter { $0.name == WarrantCheckRules.warrantIdentifier }.map(\.value))
        let namedDetainers = Set(notification.reason.matched.filter { $0.name == "detainerId" }.map(\.value))
        let told = linked.filter { $0.kind == .warrant ? named.contains($0.itemId) : namedDetainers.contains($0.itemId) }
        guard !told.isEmpty, let releaseRecord = try store.record(of: .release, releaseId) else { return (notification, []) }
        let described = try told.map { item in
            (item: item, link: try store.record(of: item.kind, item.itemId).flatMap { try store.identity.confidence(releaseRecord, $0) })
        }
        return (LinkedWarrantNotification.matched(notification, items: described), told)
    }
}
