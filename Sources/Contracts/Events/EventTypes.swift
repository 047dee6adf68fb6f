/// Every payload type, so code that meets an event by its type name can find the Swift type.
public enum EventTypes {
    /// All event payload types, one per event type and version.
    public static let all: [any EventPayload.Type] = [
        ReleaseScheduled.self,
        ReleaseChanged.self,
        ReleaseCancelled.self,
        ReleaseCompleted.self,
        ArrestMade.self,
        BookingRecorded.self,
        ContactRecorded.self,
        ViolentIncidentReported.self,
        InvestigationOpened.self,
        InvestigationUpdated.self,
        InvestigationClosed.self,
        WarrantIssued.self,
        WarrantServed.self,
        WarrantRecalled.self,
        WarrantQuashed.self,
        DetainerLodged.self,
        DetainerLifted.self,
        CaseStarted.self,
        CaseEnded.self,
        OfficerAssigned.self,
        ConditionsSet.self,
        AddressChanged.self,
        AssessmentCompleted.self,
        MentalHealthBulletinPublished.self,
        MentalHealthBulletinWithdrawn.self,
        RecordSealed.self,
        RecordExpunged.self,
        AgencyDescribed.self,
        AgencyRetired.self,
        SubscriptionRecorded.self,
    ]

    /// The payload type of an event type and version.
    public static func payloadType(eventType: String, version: Int) -> (any EventPayload.Type)? {
        byName["\(eventType).v\(version)"]
    }

    /// Every version a type reads (``EventPayload/readVersions``) names it.
    private static let byName: [String: any EventPayload.Type] = Dictionary(
        uniqueKeysWithValues: all.flatMap { type in
            type.readVersions.map { ("\(type.eventType).v\($0)", type) }
        })
}
