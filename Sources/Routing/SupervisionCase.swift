import Contracts
import Notifications

/// A supervision case as the router keeps it (reference state from `supervision.cases`): who
/// is supervised, by which agency and officer, from when to when, registered where and with whom.
public struct SupervisionCase: Sendable, Hashable {
    public var caseId: String
    public var stateId: String?
    public var fbiNumber: String?
    public var supervisionType: String
    public var agencyId: String
    /// The supervising officer; nil sends the case's notifications to the agency.
    public var officerId: String?
    public var officerName: String?
    /// `YYYY-MM-DD`, as in the event.
    public var startDate: String
    /// `YYYY-MM-DD` once the case has ended.
    public var endDate: String?
    public var subject: SubjectIdentifiers?
    /// The registered address (from the case's start or its latest address change).
    public var address: Address?
    /// The household listed with the latest address change that listed one.
    public var householdMembers: [HouseholdMember]

    public init(
        caseId: String, stateId: String?, fbiNumber: String?, supervisionType: String, agencyId: String,
        officerId: String?, officerName: String?, startDate: String, endDate: String?, subject: SubjectIdentifiers?,
        address: Address? = nil, householdMembers: [HouseholdMember] = []
    ) {
        self.caseId = caseId
        self.stateId = stateId
        self.fbiNumber = fbiNumber
        self.supervisionType = supervisionType
        self.agencyId = agencyId
        self.officerId = officerId
        self.officerName = officerName
        self.startDate = startDate
        self.endDate = endDate
        self.subject = subject
        self.address = address
        self.householdMembers = householdMembers
    }

    /// Who is told of the case's supervisee: the supervising officer, or the agency without one.
    public var recipient: Recipient { officerId.map(Recipient.officer) ?? .agency(agencyId) }

    /// Whether the case was active on `day` (`YYYY-MM-DD`): start ≤ day ≤ end, if ended.
    public func covers(_ day: String) -> Bool { startDate <= day && endDate.map { day <= $0 } ?? true }
}
