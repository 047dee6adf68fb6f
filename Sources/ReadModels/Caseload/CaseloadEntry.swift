import Contracts
import Foundation

/// One supervisee on a caseload: their case as of the moment asked about, and what other
/// agencies reported about them (flags), most recent first.
///
/// A person with two active cases (say probation and pretrial) is two entries, one per case;
/// the person's flags appear on both.
public struct CaseloadEntry: Codable, Sendable, Hashable {
    public var caseId: String
    /// `sid:<state id>` or `fbi:<FBI number>`.
    public var personKey: String
    public var stateId: String?
    public var fbiNumber: String?
    public var name: PersonName?
    public var supervisionType: SupervisionType
    public var supervisingAgencyId: String
    /// The officer assigned last at or before the moment asked about; nil when none was.
    public var officer: Officer?
    public var startDate: CalendarDate
    public var expectedEndDate: CalendarDate?
    /// The list in force (the last one set with an effective date on or before the day
    /// asked about); empty when none was set yet.
    public var conditions: [SupervisionCondition]
    public var conditionsEffectiveDate: CalendarDate?
    /// The registered address in force (from the case's start, or the last change effective
    /// on or before the day asked about).
    public var address: Address?
    public var addressEffectiveDate: CalendarDate?
    /// Who lives at that address; nil when the event that set it did not say (a case's
    /// start address never does), empty when it said nobody.
    public var householdMembers: [HouseholdMember]?
    /// The person's latest risk and needs assessment completed on or before the day asked about.
    public var latestAssessment: CaseloadAssessment?
    public var flags: [CaseloadFlag]

    public init(
        caseId: String, personKey: String, stateId: String?, fbiNumber: String?, name: PersonName?,
        supervisionType: SupervisionType, supervisingAgencyId: String, officer: Officer?, startDate: CalendarDate,
        expectedEndDate: CalendarDate?, conditions: [SupervisionCondition], conditionsEffectiveDate: CalendarDate?,
        address: Address?, addressEffectiveDate: CalendarDate?, householdMembers: [HouseholdMember]?,
        latestAssessment: CaseloadAssessment?, flags: [CaseloadFlag]
    ) {
        self.caseId = caseId
        self.personKey = personKey
        self.stateId = stateId
        self.fbiNumber = fbiNumber
        self.name = name
        self.supervisionType = supervisionType
        self.supervisingAgencyId = supervisingAgencyId
        self.officer = officer
        self.startDate = startDate
        self.expectedEndDate = expectedEndDate
        self.conditions = conditions
        self.conditionsEffectiveDate = conditionsEffectiveDate
        self.address = address
        self.addressEffectiveDate = addressEffectiveDate
        self.householdMembers = householdMembers
        self.latestAssessment = latestAssessment
        self.flags = flags
    }

    /// The date of the most recent flag, by which caseloads are sorted.
    public var mostRecentFlagDate: Date? { flags.first?.date }
}

/// The latest risk and needs assessment of a supervisee (needs are health information and
/// stay out of this view).
public struct CaseloadAssessment: Codable, Sendable, Hashable {
    public var assessmentId: String
    /// E.g. ORAS-CST, LSI-R.
    public var instrument: String
    public var riskLevel: RiskLevel
    public var completedOn: CalendarDate

    public init(assessmentId: String, instrument: String, riskLevel: RiskLevel, completedOn: CalendarDate) {
        self.assessmentId = assessmentId
        self.instrument = instrument
        self.riskLevel = riskLevel
        self.completedOn = completedOn
    }
}

/// Something another agency reported about a supervisee, dated, with the id of the record it
/// came from (to ask that agency about it).
public struct CaseloadFlag: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        /// `police.arrest.made`; dated `arrestedAt`; record: arrest id; agency: arresting agency.
        case arrest
        /// `police.booking.recorded`; dated `bookedAt`; record: booking number; agency: the
        /// facility's id, detail its name.
        case booking
        /// `police.contact.recorded`; dated `contactedAt`; record: contact id; detail: the
        /// contact kind; says whether police met the supervisee or someone else
        /// (`relationToSubject`) and whether it was at their address of record.
        case policeContact = "police_contact"
        /// `police.violent-incident.reported` naming the supervisee (by state ID) as a
        /// victim; dated `incidentAt`; record: incident id; detail: incident kind.
        case violentIncidentVictim = "violent_incident_victim"
        /// The same, as a suspect.
        case violentIncidentSuspect = "violent_incident_suspect"
        /// A warrant issued on or before the moment asked about and not yet served, recalled
        /// or quashed; dated its issue day; record: warrant id; agency: issuing agency;
        /// detail: warrant kind.
        case activeWarrant = "active_warrant"
        /// A detainer lodged and not yet lifted; dated its lodge day; record: detainer id;
        /// agency: requesting agency; detail: detainer kind.
        case activeDetainer = "active_detainer"
        /// A release scheduled and neither cancelled nor completed by the moment asked about;
        /// dated the (latest) release date, which may be ahead of it; record: release id;
        /// agency: facility id, detail: facility name.
        case scheduledRelease = "scheduled_release"
    }

    public var kind: Kind
    /// When it happened (a day-only date is its 00:00 UTC); for a scheduled release, the
    /// release date.
    public var date: Date
    public var sourceRecordId: String
    public var agencyId: String?
    public var detail: String?
    /// Police contacts only: `self` when police met the supervisee, else who they met
    /// (`household_member`, `associate`).
    public var relationToSubject: RelationToSubject?
    /// Police contacts only: whether it was at the supervisee's address of record.
    public var atSubjectResidence: Bool?

    public init(
        kind: Kind, date: Date, sourceRecordId: String, agencyId: String? = nil, detail: String? = nil,
        relationToSubject: RelationToSubject? = nil, atSubjectResidence: Bool? = nil
    ) {
        self.kind = kind
        self.date = date
        self.sourceRecordId = sourceRecordId
        self.agencyId = agencyId
        self.detail = detail
        self.relationToSubject = relationToSubject
        self.atSubjectResidence = atSubjectResidence
    }
}
