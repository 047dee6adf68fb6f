import Foundation

/// `custody.release.scheduled` versions 1 and 2: A release date is set for a person in custody. Version 2 is the same payload with a subject that may lack the state ID.
public struct ReleaseScheduled: EventPayload {
    public static let eventType = "custody.release.scheduled"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    /// The releasing facility's id for this release; later changes refer to it.
    public var releaseId: String
    public var facility: Facility
    public var expectedAt: Date
    public var releaseType: ReleaseType
    /// Where the person will live, when known.
    public var destination: Address?
    public var supervisionType: SupervisionType?
    public var supervisingAgencyId: String?

    public init(releaseId: String, facility: Facility, expectedAt: Date, releaseType: ReleaseType, destination: Address? = nil, supervisionType: SupervisionType? = nil, supervisingAgencyId: String? = nil) {
        self.releaseId = releaseId
        self.facility = facility
        self.expectedAt = expectedAt
        self.releaseType = releaseType
        self.destination = destination
        self.supervisionType = supervisionType
        self.supervisingAgencyId = supervisingAgencyId
    }
}

/// `custody.release.changed` versions 1 and 2: A scheduled release moved, or its details changed; only changed fields are present. Version 2 is the same payload with a subject that may lack the state ID.
public struct ReleaseChanged: EventPayload {
    public static let eventType = "custody.release.changed"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var releaseId: String
    public var reason: String
    public var expectedAt: Date?
    public var previousExpectedAt: Date?
    public var releaseType: ReleaseType?
    public var destination: Address?
    public var supervisionType: SupervisionType?
    public var supervisingAgencyId: String?

    public init(releaseId: String, reason: String, expectedAt: Date? = nil, previousExpectedAt: Date? = nil, releaseType: ReleaseType? = nil, destination: Address? = nil, supervisionType: SupervisionType? = nil, supervisingAgencyId: String? = nil) {
        self.releaseId = releaseId
        self.reason = reason
        self.expectedAt = expectedAt
        self.previousExpectedAt = previousExpectedAt
        self.releaseType = releaseType
        self.destination = destination
        self.supervisionType = supervisionType
        self.supervisingAgencyId = supervisingAgencyId
    }
}

/// `custody.release.cancelled` versions 1 and 2: A scheduled release will not happen. Version 2 is the same payload with a subject that may lack the state ID.
public struct ReleaseCancelled: EventPayload {
    public static let eventType = "custody.release.cancelled"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var releaseId: String
    public var reason: String

    public init(releaseId: String, reason: String) {
        self.releaseId = releaseId
        self.reason = reason
    }
}

/// `custody.release.completed` versions 1 and 2: The person has left the facility. Version 2 is the same payload with a subject that may lack the state ID.
public struct ReleaseCompleted: EventPayload {
    public static let eventType = "custody.release.completed"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var releaseId: String
    public var facility: Facility
    public var releasedAt: Date
    public var releaseType: ReleaseType
    public var destination: Address?
    public var supervisionType: SupervisionType?
    public var supervisingAgencyId: String?

    public init(releaseId: String, facility: Facility, releasedAt: Date, releaseType: ReleaseType, destination: Address? = nil, supervisionType: SupervisionType? = nil, supervisingAgencyId: String? = nil) {
        self.releaseId = releaseId
        self.facility = facility
        self.releasedAt = releasedAt
        self.releaseType = releaseType
        self.destination = destination
        self.supervisionType = supervisionType
        self.supervisingAgencyId = supervisingAgencyId
    }
}
