import Contracts
import Notifications

/// The wording of rule `unscheduled-release-active-warrant`, to the destination's police
/// department or an issuing agency.
enum UnscheduledReleaseNotification {
    static func make(
        _ recipient: Recipient, isPolice: Bool, completed: EventEnvelope<ReleaseCompleted>, warrants: [Warrant], matchedWarrants: [Warrant]
    ) -> BusNotification {
        let release = completed.payload
        let list = warrants.map(\.label).joined(separator: "; ")
        return BusNotification(
            recipient: recipient, priority: .urgent,
            summary: "URGENT: \(Describe.person(completed.subject)) was released from \(release.facility.name) without prior notice (\(release.releaseType.rawValue)) with an active warrant: \(list)",
            reason: NotificationReason(
                rule: WarrantCheckRules.unscheduled,
                explanation: isPolice
                    ? "A person with an active warrant was released into your jurisdiction with no scheduled release."
                    : "Your warrant is active and the person was released with no scheduled release.",
                matched: WarrantCheckRules.matched(completed.subject, warrants: matchedWarrants, city: isPolice ? release.destination : nil)),
            facts: [
                NotificationFact("who", Describe.identifiers(completed.subject)),
                NotificationFact("what", "released (\(release.releaseType.rawValue)) with active warrant(s): \(list)"),
                NotificationFact("when", Describe.instant(release.releasedAt)),
                NotificationFact("from", "\(release.facility.name) (\(release.facility.facilityId))"),
                NotificationFact("destination", Describe.address(release.destination) ?? "not given"),
            ],
            occurredAt: release.releasedAt, subjectStateId: completed.subject?.stateId,
            sourceEventId: completed.eventId.uuidString.lowercased(), sourceEventType: completed.eventType,
            scope: release.releaseId, subjectFbiNumber: completed.subject?.fbiNumber)
    }
}
