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

/// The warrant check of one release: the person's active warrants at the time, tracked until
/// none is left. `pending` while any is active, `clear` without; `hold` once detainers are
/// handled (a later issue).
public struct WarrantCheck: Sendable, Hashable {
    public var releaseId: String
    public var stateId: String?
    public var fbiNumber: String?
    /// `pending`, `clear` or `hold`.
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

    public init(
        releaseId: String, stateId: String?, fbiNumber: String?, status: String, scheduled: Bool, closed: Bool,
        facilityId: String, facilityName: String, releaseAt: String, releaseType: String, destination: Address?,
        subject: SubjectIdentifiers?
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
    }

    /// The release's day, `YYYY-MM-DD`.
    var releaseDay: String { String(releaseAt.prefix(10)) }
}
