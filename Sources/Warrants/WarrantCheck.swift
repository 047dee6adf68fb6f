import Contracts

/// A warrant as the resolver lists it on a check.
public struct Warrant: Sendable, Hashable {
    public var warrantId: String
    /// The warrant kind's code (`unknown` when only a resolution was seen).
    public var kind: String
    /// `unknown` when only a resolution was seen.
    public var issuingAgencyId: String

    public init(warrantId: String, kind: String, issuingAgencyId: String) {
        self.warrantId = warrantId
        self.kind = kind
        self.issuingAgencyId = issuingAgencyId
    }

    /// "1616-CR-02291-W1 (bench)", as notifications list it.
    var label: String { "\(warrantId) (\(kind))" }
}

/// The warrant check of one release: the person's active warrants and detainers, tracked until
/// the release happens or is cancelled. `hold` while any detainer is active (another agency
/// takes custody at release), else `pending` while any warrant is active, else `clear`
/// (`WarrantCheckRules.status(warrants:detainers:identified:)`); `unconfirmed` instead of
/// `clear` while the release names the person by neither number and the person index has not
/// linked them to a record that does (``identifiedByNumber``): no warrant matched does not mean
/// there is none.
public struct WarrantCheck: Sendable, Hashable {
    public var releaseId: String
    public var stateId: String?
    public var fbiNumber: String?
    /// `pending`, `clear`, `hold` or `unconfirmed`.
    public var status: String
    /// Whether the release was announced (scheduled) before it happened.
    public var scheduled: Bool
    /// Whether the release has happened or was cancelled: a closed check takes no new warrant.
    public var closed: Bool
    public var facilityId: String
    public var facilityName: String
    /// RFC 3339 instant of the (expected) release.
    public var releaseAt: String
    public var releaseType: String
    public var destination: Address?
    public var subject: SubjectIdentifiers?
    /// The agency that will supervise the person after release, if the release names one.
    public var supervisingAgencyId: String?
    /// The agency that published the release (the jail's or prison's): whom the facility's
    /// notifications belong to, so an unacknowledged URGENT one escalates to its duty desk.
    /// Nil for checks stored before it was kept.
    public var releasingAgencyId: String?
    /// The (expected) release in milliseconds since 1970: what the escalation deadlines count
    /// back from. Nil for checks stored before deadlines were kept: they never escalate.
    public var expectedAtMilliseconds: Int64?
    /// How many events of this check were published on `bus.warrant-checks` (0 before the first).
    public var revision: Int
    /// The nearest stage (days before the release: 30, 7, 1) escalated for the current date;
    /// nil when none was.
    public var escalatedDays: Int?

    public init(
        releaseId: String, stateId: String?, fbiNumber: String?, status: String, scheduled: Bool, closed: Bool,
        facilityId: String, facilityName: String, releaseAt: String, releaseType: String, destination: Address?,
        subject: SubjectIdentifiers?, supervisingAgencyId: String? = nil, releasingAgencyId: String? = nil,
        expectedAtMilliseconds: Int64? = nil, revision: Int = 0, escalatedDays: Int? = nil
    ) {
        self.releaseId = releaseId
        self.stateId = stateId
        self.fbiNumber = fbiNumber
        self.status = status
        self.scheduled = scheduled
        self.closed = closed
        self.facilityId = facilityId
        self.facilityName = facilityName
        self.releaseAt = releaseAt
        self.releaseType = releaseType
        self.destination = destination
        self.subject = subject
        self.supervisingAgencyId = supervisingAgencyId
        self.releasingAgencyId = releasingAgencyId
        self.expectedAtMilliseconds = expectedAtMilliseconds
        self.revision = revision
        self.escalatedDays = escalatedDays
    }

    /// Whether the check stands in the way of the release (`pending` or `hold`): what escalates
    /// and what makes a release URGENT. An `unconfirmed` check lists nothing to resolve.
    public var isUnresolved: Bool { status == "pending" || status == "hold" }

    /// Whether the release names the person by state ID or FBI number, the numbers warrants
    /// are matched on. A check without is published as version 2 of `bus.warrant-checks`.
    public var identifiedByNumber: Bool { !(stateId ?? "").isEmpty || !(fbiNumber ?? "").isEmpty }

    /// The release's day, `YYYY-MM-DD`.
    var releaseDay: String { String(releaseAt.prefix(10)) }
}

/// A detainer as the resolver lists it on a check: another agency asks the facility to hold the
/// person and hand them over instead of releasing them.
public struct Detainer: Sendable, Hashable {
    public var detainerId: String
    /// The detainer kind's code (`unknown` when only its lifting was seen).
    public var kind: String
    /// The agency that asked for the hold and takes custody at release (the event's
    /// `requestingAgencyId`; `unknown` when only its lifting was seen).
    public var holdingAgencyId: String

    public init(detainerId: String, kind: String, holdingAgencyId: String) {
        self.detainerId = detainerId
        self.kind = kind
        self.holdingAgencyId = holdingAgencyId
    }

    /// "KS-JOCO-D-25-118 (other_jurisdiction, for KS-JOCO-SO)", as notifications list it.
    var label: String { "\(detainerId) (\(kind), for \(holdingAgencyId))" }
}
