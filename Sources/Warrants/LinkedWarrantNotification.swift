import Contracts
import Foundation
import Notifications
import PersonLinks

/// The wording added to a warrant-check notification that tells of a warrant or detainer the
/// check lists through the person index (the release's subject and the warrant's carry no
/// common state ID or FBI number; `bus.identity` links their records), and of rule
/// `warrant-check-retracted`, sent when the index separates them again.
///
/// How sure the link is, never what was compared: what decided it (a shared strong identifier,
/// the model's score, a reviewer) and the names of the fields that agreed.
enum LinkedWarrantNotification {
    static let retractionRule = "warrant-check-retracted"

    /// What the notification lists in `reason.matched` for the index's part.
    static let matchedName = "personIndex"

    /// `notification` (its own rule's wording) saying which of the items it tells of were
    /// matched through the index, and how sure each match is. Its id does not change: the same
    /// event tells the same recipient once, however the person was matched.
    static func matched(_ notification: BusNotification, items: [(item: WarrantStore.LinkedItem, link: PersonLinks.Link?)]) -> BusNotification {
        guard !items.isEmpty else { return notification }
        var notification = notification
        let described = items.map { "\(noun($0.item.kind)) \($0.item.itemId) (\(confidence($0.link)))" }
        notification.reason.explanation += " The release's subject and the subject of \(described.joined(separator: " and ")) share no state ID or FBI number: the person index linked their records. Check the identity before acting."
        let sources = Set(items.map { $0.link?.decisionSource ?? "linked" }).sorted()
        notification.reason.matched += sources.map { MatchedIdentifier(matchedName, $0) }
        notification.facts += items.map { NotificationFact("match", "\(noun($0.item.kind)) \($0.item.itemId): \(confidence($0.link))") }
        return notification
    }

    /// Rule `warrant-check-retracted`: to a recipient told of `item` through a link that the
    /// index has since undone — the earlier notifications (named by id) concerned a different
    /// person. Names the release, the item and the check's status now; nothing about anyone.
    static func retraction(
        of earlier: [WarrantStore.LinkedNotice], item: WarrantStore.LinkedItem, check: WarrantCheck, source: WarrantCheckRules.Source
    ) -> BusNotification? {
        guard let first = earlier.first else { return nil }
        let what = "\(noun(item.kind)) \(item.itemId)"
        let ids = earlier.map(\.notificationId)
        let identifier = item.kind == .detainer ? "detainerId" : WarrantCheckRules.warrantIdentifier
        return BusNotification(
            recipient: first.recipient, priority: .high,
            summary: "Retraction: the earlier notice about \(what) on release \(item.releaseId) concerned a different person",
            reason: NotificationReason(
                rule: retractionRule,
                explanation: "The person index no longer links the subject of release \(item.releaseId) to the subject of \(what) (a reviewer decided they are different people, or the index split them). Disregard notification \(ids.joined(separator: ", ")). The check of this release is now \(check.status).",
                matched: [MatchedIdentifier("releaseId", item.releaseId), MatchedIdentifier(identifier, item.itemId)]
                    + ids.map { MatchedIdentifier("notification", $0) }),
            facts: ids.map { NotificationFact("retracts", $0) } + [check.releaseFact, NotificationFact("check", check.status)],
            occurredAt: source.occurredAt, subjectStateId: check.stateId, sourceEventId: source.id, sourceEventType: source.eventType,
            scope: "\(item.releaseId)/\(item.kind.rawValue)/\(item.itemId)", recipientAgencyId: first.recipientAgencyId,
            subjectFbiNumber: check.subject?.fbiNumber)
    }

    /// Rule `released-person-linked-to-active-warrant`, URGENT to `recipient`: the person was
    /// released (at `completedAt`) before the index linked them to `warrants`, which are still
    /// active. `city`: the destination, for its police. The match itself (how sure, which fields
    /// agreed) is added as for every notice telling of a warrant listed through a link.
    static func releasedLinked(
        _ recipient: Recipient, check: WarrantCheck, warrants: [Warrant], city: Address?, completedAt: Date, source: WarrantCheckRules.Source
    ) -> BusNotification {
        let list = warrants.map(\.label).joined(separator: "; ")
        return check.notification(
            to: recipient, priority: .urgent,
            summary: "URGENT: \(Describe.person(check.subject)), released from \(check.facilityName), is linked to an active warrant: \(list)",
            reason: NotificationReason(
                rule: WarrantCheckRules.releasedLinked,
                explanation: city == nil
                    ? "Your warrant is active and the person index has linked its subject to a person released before the link was known."
                    : "A person released into your jurisdiction before the link was known has been linked by the person index to an active warrant.",
                matched: WarrantCheckRules.matched(check.subject, warrants: warrants, city: city)),
            what: "released, then linked to active warrant(s): \(list)",
            facts: [
                NotificationFact("when", Describe.instant(completedAt)),
                NotificationFact("from", "\(check.facilityName) (\(check.facilityId))"),
                NotificationFact("destination", Describe.address(check.destination) ?? "not given"),
                check.releaseFact,
            ],
            source: source)
    }

    static func noun(_ kind: WarrantStore.SubjectKind) -> String { kind.rawValue }

    static func confidence(_ link: PersonLinks.Link?) -> String { link?.confidence ?? "linked by the person index" }
}
