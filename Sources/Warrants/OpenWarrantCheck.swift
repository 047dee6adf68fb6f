/// One open warrant check as people and programs read it: the rows of
/// `reentrybus warrant-checks` and of the gateway's warrant-check view (one shape for both, so
/// the CLI's `--json` and the API agree field for field).
public struct OpenWarrantCheck: Encodable, Sendable {
    /// A deadline before the release and whether its escalation went out.
    public struct Deadline: Encodable, Sendable {
        public var daysBefore: Int
        public var at: String
        public var escalated: Bool
    }

    /// A recipient the resolver told, and under which rule.
    public struct Told: Encodable, Sendable {
        public var recipient: String
        public var rule: String
    }

    public var releaseId: String
    public var status: String
    public var stateId: String?
    public var facilityId: String
    public var facilityName: String
    public var releaseAt: String
    public var deadlines: [Deadline]
    /// The unresolved warrants' ids.
    public var warrants: [String]
    /// The active detainers' ids.
    public var detainers: [String]
    public var told: [Told]
    /// The unresolved warrants and detainers described for a reader: `warrant W-1 (bench,
    /// MO-CIRCUIT16)`, `detainer D-1 (federal, for US-USMS)`. Not part of the JSON form.
    public var unresolved: [String]

    private enum CodingKeys: String, CodingKey {
        case releaseId, status, stateId, facilityId, facilityName, releaseAt, deadlines, warrants, detainers, told
    }

    /// From an entry of ``WarrantResolverProjection/openChecks(facilityId:status:_:)``.
    public init(_ entry: (check: WarrantCheck, warrants: [Warrant], detainers: [Detainer], told: [(recipient: String, rule: String)])) {
        self.init(entry.check, warrants: entry.warrants, detainers: entry.detainers, told: entry.told)
    }

    public init(_ check: WarrantCheck, warrants: [Warrant], detainers: [Detainer], told: [(recipient: String, rule: String)]) {
        releaseId = check.releaseId
        status = check.status
        stateId = check.stateId
        facilityId = check.facilityId
        facilityName = check.facilityName
        releaseAt = check.releaseAt
        deadlines = WarrantCheckDeadlines.of(check).map { Deadline(daysBefore: $0.daysBefore, at: $0.at, escalated: $0.escalated) }
        self.warrants = warrants.map(\.warrantId)
        self.detainers = detainers.map(\.detainerId)
        self.told = told.map { Told(recipient: $0.recipient, rule: $0.rule) }
        unresolved = warrants.map { "warrant \($0.warrantId) (\($0.kind), \($0.issuingAgencyId))" }
            + detainers.map { "detainer \($0.detainerId) (\($0.kind), for \($0.holdingAgencyId))" }
    }
}
