import Foundation

/// One supervision condition.
public struct SupervisionCondition: Codable, Sendable, Hashable {
    public var kind: ConditionKind
    /// Required when kind is other.
    public var description: String?

    public init(kind: ConditionKind, description: String? = nil) {
        self.kind = kind
        self.description = description
    }
}

/// Someone living at the subject's address.
public struct HouseholdMember: Codable, Sendable, Hashable {
    public var name: PersonName
    public var relationship: String

    public init(name: PersonName, relationship: String) {
        self.name = name
        self.relationship = relationship
    }
}

/// One scored need.
public struct AssessedNeed: Codable, Sendable, Hashable {
    public var domain: NeedDomain
    public var level: RiskLevel

    public init(domain: NeedDomain, level: RiskLevel) {
        self.domain = domain
        self.level = level
    }
}

/// The person's consent to share the bulletin.
public struct BulletinConsent: Codable, Sendable, Hashable {
    public var grantedOn: CalendarDate
    public var expiresOn: CalendarDate
    /// Who may see it and for what.
    public var scope: String

    public init(grantedOn: CalendarDate, expiresOn: CalendarDate, scope: String) {
        self.grantedOn = grantedOn
        self.expiresOn = expiresOn
        self.scope = scope
    }
}

/// What officers should know when the person is in crisis.
public struct BulletinBaseline: Codable, Sendable, Hashable {
    public var summary: String
    public var triggers: [String]?
    public var whatHelps: [String]?

    public init(summary: String, triggers: [String]? = nil, whatHelps: [String]? = nil) {
        self.summary = summary
        self.triggers = triggers
        self.whatHelps = whatHelps
    }
}

/// Someone to call during a crisis.
public struct KeyContact: Codable, Sendable, Hashable {
    public var name: String
    public var relationship: String
    public var phone: String

    public init(name: String, relationship: String, phone: String) {
        self.name = name
        self.relationship = relationship
        self.phone = phone
    }
}

/// `supervision.case.started` versions 1 and 2: Supervision of the subject began.
/// Version 2 is the same payload with a subject named by the FBI number when the state ID is
/// not known (a supervisee transferred from another state).
public struct CaseStarted: EventPayload {
    public static let eventType = "supervision.case.started"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var caseId: String
    public var supervisionType: SupervisionType
    public var startDate: CalendarDate
    public var expectedEndDate: CalendarDate?
    public var supervisingAgencyId: String
    public var officer: Officer?
    public var address: Address?

    public init(caseId: String, supervisionType: SupervisionType, startDate: CalendarDate, expectedEndDate: CalendarDate? = nil, supervisingAgencyId: String, officer: Officer? = nil, address: Address? = nil) {
        self.caseId = caseId
        self.supervisionType = supervisionType
        self.startDate = startDate
        self.expectedEndDate = expectedEndDate
        self.supervisingAgencyId = supervisingAgencyId
        self.officer = officer
        self.address = address
    }
}

/// `supervision.case.ended` versions 1 and 2: Supervision of the subject ended.
/// Version 2 is the same payload with a subject named by the FBI number when the state ID is
/// not known (a supervisee transferred from another state).
public struct CaseEnded: EventPayload {
    public static let eventType = "supervision.case.ended"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var caseId: String
    public var endDate: CalendarDate
    public var endReason: CaseEndReason

    public init(caseId: String, endDate: CalendarDate, endReason: CaseEndReason) {
        self.caseId = caseId
        self.endDate = endDate
        self.endReason = endReason
    }
}

/// `supervision.officer.assigned` versions 1 and 2: An officer now supervises the case.
/// Version 2 is the same payload with a subject named by the FBI number when the state ID is
/// not known (a supervisee transferred from another state).
public struct OfficerAssigned: EventPayload {
    public static let eventType = "supervision.officer.assigned"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var caseId: String
    public var officer: Officer

    public init(caseId: String, officer: Officer) {
        self.caseId = caseId
        self.officer = officer
    }
}

/// `supervision.conditions.set` versions 1 and 2: The full current list of conditions; it replaces any earlier list.
/// Version 2 is the same payload with a subject named by the FBI number when the state ID is
/// not known (a supervisee transferred from another state).
public struct ConditionsSet: EventPayload {
    public static let eventType = "supervision.conditions.set"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var caseId: String
    public var effectiveDate: CalendarDate
    public var conditions: [SupervisionCondition]

    public init(caseId: String, effectiveDate: CalendarDate, conditions: [SupervisionCondition]) {
        self.caseId = caseId
        self.effectiveDate = effectiveDate
        self.conditions = conditions
    }
}

/// `supervision.address.changed` versions 1 and 2: The subject lives at a new approved address.
/// Version 2 is the same payload with a subject named by the FBI number when the state ID is
/// not known (a supervisee transferred from another state).
public struct AddressChanged: EventPayload {
    public static let eventType = "supervision.address.changed"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var caseId: String
    public var address: Address
    public var effectiveDate: CalendarDate
    public var householdMembers: [HouseholdMember]?

    public init(caseId: String, address: Address, effectiveDate: CalendarDate, householdMembers: [HouseholdMember]? = nil) {
        self.caseId = caseId
        self.address = address
        self.effectiveDate = effectiveDate
        self.householdMembers = householdMembers
    }
}

/// `supervision.assessment.completed` versions 1 and 2: A validated risk and needs instrument
/// was scored. Version 2 is the same payload with a subject that may lack the state ID (an
/// intake assessment under the DOC number).
public struct AssessmentCompleted: EventPayload {
    public static let eventType = "supervision.assessment.completed"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var assessmentId: String
    /// E.g. ORAS-CST, LSI-R.
    public var instrument: String
    public var completedOn: CalendarDate
    public var riskLevel: RiskLevel
    public var score: Int?
    public var historyOfViolence: Bool?
    /// Needs include mental health and substance use: health information.
    public var needs: [AssessedNeed]?

    public init(assessmentId: String, instrument: String, completedOn: CalendarDate, riskLevel: RiskLevel, score: Int? = nil, historyOfViolence: Bool? = nil, needs: [AssessedNeed]? = nil) {
        self.assessmentId = assessmentId
        self.instrument = instrument
        self.completedOn = completedOn
        self.riskLevel = riskLevel
        self.score = score
        self.historyOfViolence = historyOfViolence
        self.needs = needs
    }
}

/// `supervision.mental-health-bulletin.published` versions 1 and 2: A consent-based bulletin for officers answering a crisis call (HIPAA / 42 CFR Part 2).
/// Version 2 is the same payload with a subject named by the FBI number when the state ID is
/// not known (a supervisee transferred from another state).
public struct MentalHealthBulletinPublished: EventPayload {
    public static let eventType = "supervision.mental-health-bulletin.published"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var bulletinId: String
    public var consent: BulletinConsent
    public var baseline: BulletinBaseline
    public var keyContacts: [KeyContact]

    public init(bulletinId: String, consent: BulletinConsent, baseline: BulletinBaseline, keyContacts: [KeyContact]) {
        self.bulletinId = bulletinId
        self.consent = consent
        self.baseline = baseline
        self.keyContacts = keyContacts
    }
}

/// `supervision.mental-health-bulletin.withdrawn` versions 1 and 2: The bulletin may no longer be shown.
/// Version 2 is the same payload with a subject named by the FBI number when the state ID is
/// not known (a supervisee transferred from another state).
public struct MentalHealthBulletinWithdrawn: EventPayload {
    public static let eventType = "supervision.mental-health-bulletin.withdrawn"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var bulletinId: String
    public var reason: BulletinWithdrawalReason

    public init(bulletinId: String, reason: BulletinWithdrawalReason) {
        self.bulletinId = bulletinId
        self.reason = reason
    }
}
