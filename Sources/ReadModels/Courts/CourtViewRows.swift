import Contracts
import Foundation

/// An active warrant a court issued, as its court and prosecutor see it.
public struct CourtWarrant: Codable, Sendable, Hashable {
    public var warrantId: String
    /// `sid:<state id>` or `fbi:<FBI number>`.
    public var personKey: String
    public var stateId: String?
    public var fbiNumber: String?
    public var name: PersonName?
    public var warrantKind: WarrantKind
    public var issuedOn: CalendarDate
    public var caseNumber: String?
    /// The charges (offenses) the warrant names; empty when it names none.
    public var offenses: [Charge]

    public init(
        warrantId: String, personKey: String, stateId: String?, fbiNumber: String?, name: PersonName?, warrantKind: WarrantKind,
        issuedOn: CalendarDate, caseNumber: String?, offenses: [Charge]
    ) {
        self.warrantId = warrantId
        self.personKey = personKey
        self.stateId = stateId
        self.fbiNumber = fbiNumber
        self.name = name
        self.warrantKind = warrantKind
        self.issuedOn = issuedOn
        self.caseNumber = caseNumber
        self.offenses = offenses
    }
}

/// A pending release of a person the court holds an active warrant for: to be resolved with
/// the court before the person walks out.
public struct BlockedRelease: Codable, Sendable, Hashable {
    public var releaseId: String
    public var personKey: String
    public var stateId: String?
    public var fbiNumber: String?
    public var name: PersonName?
    /// The releasing facility (nil only when no schedule or completion named it).
    public var facility: Facility?
    /// The release date as last scheduled or changed.
    public var expectedAt: Date
    /// The court's active warrants for the person, by id.
    public var warrantIds: [String]

    public init(
        releaseId: String, personKey: String, stateId: String?, fbiNumber: String?, name: PersonName?, facility: Facility?,
        expectedAt: Date, warrantIds: [String]
    ) {
        self.releaseId = releaseId
        self.personKey = personKey
        self.stateId = stateId
        self.fbiNumber = fbiNumber
        self.name = name
        self.facility = facility
        self.expectedAt = expectedAt
        self.warrantIds = warrantIds
    }
}
