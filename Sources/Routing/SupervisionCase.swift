import Contracts
import Foundation
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
    /// Every officer assignment, by effective time (the case's first officer from the start of
    /// its first day). Empty for a case stored before assignments were recorded.
    public var assignments: [OfficerAssignment] = []

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

    /// Who is told of the case's supervisee now: the current officer, or the agency without one.
    public var recipient: Recipient { officerId.map(Recipient.officer) ?? .agency(agencyId) }

    /// How long after an event a newly assigned officer is still told of it: whoever takes a
    /// case over learns of what happened to the supervisee in the month before.
    public static let handoverWindowMilliseconds: Int64 = 30 * 86_400_000

    /// Who is told of an event about the supervisee that happened at `milliseconds`: the officer
    /// in charge then (the agency if there was none), and every officer assigned within the
    /// handover window after it. A function of the events alone, never of the order they were
    /// read in: an event read after a reassignment reaches the same people as one read before
    /// it (the reassignment hands over what it finds, `RouterRuleSet`s re-route on it).
    public func recipients(forEventAt milliseconds: Int64) -> [Recipient] {
        guard !assignments.isEmpty else { return [recipient] }
        let inCharge = assignments.last { $0.effectiveMilliseconds <= milliseconds }
        var recipients = [inCharge.map { Recipient.officer($0.officerId) } ?? .agency(agencyId)]
        for assignment in assignments
        where assignment.effectiveMilliseconds > milliseconds
            && assignment.effectiveMilliseconds - milliseconds <= Self.handoverWindowMilliseconds {
            let officer = Recipient.officer(assignment.officerId)
            if !recipients.contains(officer) { recipients.append(officer) }
        }
        return recipients
    }

    /// Whether the case was active on `day` (`YYYY-MM-DD`): start ≤ day ≤ end, if ended.
    public func covers(_ day: String) -> Bool { startDate <= day && endDate.map { day <= $0 } ?? true }
}

/// One officer's assignment to a case, from `effectiveMilliseconds` (ms since 1970).
public struct OfficerAssignment: Sendable, Hashable {
    public var effectiveMilliseconds: Int64
    public var officerId: String
    public var officerName: String?

    public init(effectiveMilliseconds: Int64, officerId: String, officerName: String?) {
        self.effectiveMilliseconds = effectiveMilliseconds
        self.officerId = officerId
        self.officerName = officerName
    }
}

extension Date {
    /// Milliseconds since 1970, the unit the router stores times in.
    var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1_000).rounded()) }
}
