import Contracts
import Foundation

/// One person on the high-needs list, with the reasons that put them there.
public struct HighNeedsRow: Codable, Sendable, Hashable {
    public var releaseId: String
    public var person: PersonOnRecord
    /// `scheduled` or `changed`.
    public var status: ReleaseStatus
    public var facility: Facility
    public var expectedAt: Date
    public var releaseType: ReleaseType?
    public var destination: Address?
    public var supervisionType: SupervisionType?
    public var supervisingAgencyId: String?
    /// Which rules applied, in the order of ``HighNeedsReason``'s cases; never empty.
    public var reasons: [HighNeedsReason]
    /// The latest assessment completed by the moment asked about, with its needs.
    public var latestAssessment: LatestAssessment?
    /// The needs of that assessment scored high or very high.
    public var highNeeds: [AssessedNeed]
    /// Violent incidents naming the person in the 12 months before the moment asked about,
    /// oldest first.
    public var incidents: [IncidentInvolvement]
}

/// Why a person is on the high-needs list.
public enum HighNeedsReason: String, Codable, Sendable, Hashable, CaseIterable {
    /// The latest assessment's risk level is high or very high.
    case highRisk = "high_risk"
    /// The latest assessment scores a need high or very high.
    case highNeeds = "high_needs"
    /// Named as a victim in a violent incident in the 12 months before.
    case violentIncidentVictim = "violent_incident_victim"
    /// Named as a suspect in a violent incident in the 12 months before.
    case violentIncidentSuspect = "violent_incident_suspect"
}

/// A violent incident naming the person.
public struct IncidentInvolvement: Codable, Sendable, Hashable {
    public var incidentId: String
    public var kind: ViolentIncidentKind
    public var incidentAt: Date
    public var role: IncidentRole
}
