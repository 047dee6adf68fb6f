import Contracts
import Foundation

/// Everything the police view shows for a jurisdiction at one moment.
public struct PoliceView: Codable, Sendable, Hashable {
    public var releases: [PoliceReleaseRow]
    public var warrants: [PoliceWarrantRow]
    public var supervisees: [PoliceSuperviseeRow]
    public var bulletins: [PoliceBulletinRow]
}

/// A person releasing into the jurisdiction.
public struct PoliceReleaseRow: Codable, Sendable, Hashable {
    public var releaseId: String
    public var person: PersonOnRecord
    /// `scheduled` or `changed`.
    public var status: ReleaseStatus
    public var facility: Facility
    public var expectedAt: Date
    public var releaseType: ReleaseType?
    public var destination: Address
    /// The supervision the release leads to, as the facility gave it.
    public var supervisionType: SupervisionType?
    public var supervisingAgencyId: String?
    /// The person's supervision case active at the moment asked about (the latest started),
    /// if any: nil means not under supervision now.
    public var activeCase: CaseSummary?
    /// The latest risk assessment completed by the moment asked about (no needs: the police
    /// view does not keep health information).
    public var latestAssessment: LatestAssessment?
}

/// A supervision case in a line.
public struct CaseSummary: Codable, Sendable, Hashable {
    public var caseId: String
    public var supervisionType: SupervisionType
    public var supervisingAgencyId: String
}

/// An active warrant of a person whose registered address is in the jurisdiction.
public struct PoliceWarrantRow: Codable, Sendable, Hashable {
    public var person: PersonOnRecord
    public var warrant: ActiveWarrant
    public var registeredAddress: Address
}

/// A person under supervision living in the jurisdiction (one row per active case).
public struct PoliceSuperviseeRow: Codable, Sendable, Hashable {
    public var caseId: String
    public var person: PersonOnRecord
    public var supervisionType: SupervisionType
    public var supervisingAgencyId: String
    public var startOn: CalendarDate
    public var expectedEndOn: CalendarDate?
    /// The officer assigned last (whom to call).
    public var officer: Officer?
    public var registeredAddress: Address
    /// The conditions in force that police need (`PoliceViewStore.conditionsPoliceNeed`), in
    /// the order the case lists them; empty when none.
    public var conditions: [SupervisionCondition]
}

/// A mental-health bulletin police may see: consent in force and allowing police.
public struct PoliceBulletinRow: Codable, Sendable, Hashable {
    public var bulletinId: String
    public var person: PersonOnRecord
    public var registeredAddress: Address
    public var consent: BulletinConsent
    public var baseline: BulletinBaseline
    public var keyContacts: [KeyContact]
}
