import Contracts
import Storage
import Timers

/// The resolver's detainers, the changes of a check after it opened (date, destination,
/// escalation, revision), who was told about each check, and the bus's clock. SQL only; the
/// rules are `WarrantCheckRules` and `CheckEscalation`.
extension WarrantStore {
    /// The rows of a person: `$1` state ID, `$2` FBI number.
    private static let personRows = "((state_id IS NOT NULL AND state_id = $1) OR (fbi_number IS NOT NULL AND fbi_number = $2))"

    // MARK: Detainers

    /// The status of a detainer (`active`, `lifted`); nil if never seen.
    func detainerStatus(_ detainerId: String) throws -> String? {
        try transaction.fetchOne("SELECT status FROM detainers WHERE detainer_id = $1", [.text(detainerId)])?.get("status")
    }

    /// The agency that asked for the hold; nil when the lodging was never read.
    func detainerHolder(_ detainerId: String) throws -> String? {
        try transaction.fetchOne("SELECT holding_agency_id FROM detainers WHERE detainer_id = $1", [.text(detainerId)])?
            .get("holding_agency_id", as: String?.self)
    }

    /// Stores a lodged detainer as active, or updates its details when it is known already (a
    /// lifting read before the lodging keeps it lifted).
    func saveLodged(_ lodged: EventEnvelope<DetainerLodged>) throws {
        let detainer = lodged.payload
        try transaction.send(
            """
            INSERT INTO detainers (detainer_id, state_id, fbi_number, detainer_kind, holding_agency_id, status, warrant_id)
            VALUES ($1, $2, $3, $4, $5, 'active', $6)
            ON CONFLICT (detainer_id) DO UPDATE SET state_id = excluded.state_id, fbi_number = excluded.fbi_number,
                detainer_kind = excluded.detainer_kind, holding_agency_id = excluded.holding_agency_id, warrant_id = excluded.warrant_id
            """,
            [.text(detainer.detainerId), .optional(lodged.subject?.stateId), .optional(lodged.subject?.fbiNumber),
             .text(detainer.detainerKind.rawValue), .text(detainer.requestingAgencyId), .optional(detainer.warrantId)])
    }

    /// Stores a detainer first seen lifted (its lodging not read yet).
    func saveFirstSeenLifted(_ detainerId: String, subject: SubjectIdentifiers?) throws {
        try transaction.send(
            "INSERT INTO detainers (detainer_id, state_id, fbi_number, status) VALUES ($1, $2, $3, 'lifted')",
            [.text(detainerId), .optional(subject?.stateId), .optional(subject?.fbiNumber)])
    }

    func setDetainerLifted(_ detainerId: String) throws {
        try transaction.send("UPDATE detainers SET status = 'lifted' WHERE detainer_id = $1", [.text(detainerId)])
    }

    /// A detainer as stored (any status).
    func detainer(_ detainerId: String) throws -> Detainer? {
        try transaction.fetchOne(
            "SELECT detainer_id, detainer_kind, holding_agency_id FROM detainers WHERE detainer_id = $1", [.text(detainerId)]
        ).map(Self.detainer(row:))
    }

    /// The active detainers of the person `subject` names (same state ID or FBI number), by id.
    func activeDetainers(of subject: SubjectIdentifiers?) throws -> [Detainer] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        return try transaction.fetchAll(
            """
            SELECT detainer_id, detainer_kind, holding_agency_id FROM detainers
            WHERE \(Self.personRows) AND status = 'active' ORDER BY detainer_id
            """,
            [.optional(subject.stateId), .optional(subject.fbiNumber)]
        ).map(Self.detainer(row:))
    }

    /// The detainers listed on a check that are still active, by id.
    public func activeDetainers(on releaseId: String) throws -> [Detainer] {
        try transaction.fetchAll(
            """
            SELECT d.detainer_id, d.detainer_kind, d.holding_agency_id FROM warrant_check_detainers i
            JOIN detainers d ON d.detainer_id = i.detainer_id
            WHERE i.release_id = $1 AND d.status = 'active' ORDER BY d.detainer_id
            """,
            [.text(releaseId)]
        ).map(Self.detainer(row:))
    }

    /// Lists `detainerId` on an open check.
    func addDetainer(_ detainerId: String, toCheck releaseId: String) throws {
        try transaction.send(
            "INSERT INTO warrant_check_detainers (release_id, detainer_id) VALUES ($1, $2) ON CONFLICT (release_id, detainer_id) DO NOTHING",
            [.text(releaseId), .text(detainerId)])
    }

    /// The open checks that list `detainerId`, by release id.
    func openChecks(listingDetainer detainerId: String) throws -> [String] {
        try transaction.fetchAll(
            """
            SELECT c.release_id FROM warrant_checks c JOIN warrant_check_detainers i ON i.release_id = c.release_id
            WHERE i.detainer_id = $1 AND c.closed = 0 ORDER BY c.release_id
            """,
            [.text(detainerId)]
        ).map { try $0.get("release_id") }
    }

    /// The open checks that list `warrantId`, by release id.
    func openChecks(listingWarrant warrantId: String) throws -> [String] {
        try transaction.fetchAll(
            """
            SELECT c.release_id FROM warrant_checks c JOIN warrant_check_items i ON i.release_id = c.release_id
            WHERE i.warrant_id = $1 AND c.closed = 0 ORDER BY c.release_id
            """,
            [.text(warrantId)]
        ).map { try $0.get("release_id") }
    }

    private static func detainer(row: StorageRow) throws -> Detainer {
        Detainer(
            detainerId: try row.get("detainer_id"), kind: try row.get("detainer_kind", as: String?.self) ?? "unknown",
            holdingAgencyId: try row.get("holding_agency_id", as: String?.self) ?? "unknown")
    }

    // MARK: Changes of a check

    /// Moves a check's release to `expectedAt` (`releaseAt` its RFC 3339 form): its escalation
    /// starts again from the 30-day stage, for the new date.
    func moveRelease(_ releaseId: String, expectedAt: Int64, releaseAt: String) throws {
        try transaction.send(
            """
            UPDATE warrant_checks SET expected_at_ms = $1, release_at = $2, escalated_days = NULL, next_escalation_ms = $3
            WHERE release_id = $4
            """,
            [.integer(expectedAt), .text(releaseAt),
             CheckEscalation.nextDue(expectedAt: expectedAt, escalatedDays: nil).map(SQLValue.integer) ?? .null, .text(releaseId)])
    }

    /// Sets a check's destination.
    func setDestination(_ releaseId: String, _ destination: Address) throws {
        try transaction.send(
            "UPDATE warrant_checks SET destination = $1 WHERE release_id = $2", [.bytes(try EventCodec.encodeJSON(destination)), .text(releaseId)])
    }

    /// Sets the supervising agency a release change names.
    func setSupervisingAgency(_ releaseId: String, _ agencyId: String) throws {
        try transaction.send("UPDATE warrant_checks SET supervising_agency_id = $1 WHERE release_id = $2", [.text(agencyId), .text(releaseId)])
    }

    /// Records that stage `days` escalated, and when the next stage is due (nil: none left).
    func recordEscalation(_ releaseId: String, days: Int, nextDue: Int64?) throws {
        try transaction.send(
            "UPDATE warrant_checks SET escalated_days = $1, next_escalation_ms = $2 WHERE release_id = $3",
            [.integer(Int64(days)), nextDue.map(SQLValue.integer) ?? .null, .text(releaseId)])
    }

    /// Open checks still `pending` or `hold` whose next escalation is due at or before `now`,
    /// by due time and release id.
    func checksDueForEscalation(now: Int64) throws -> [WarrantCheck] {
        try transaction.fetchAll(
            """
            SELECT \(Self.checkColumns) FROM warrant_checks
            WHERE next_escalation_ms IS NOT NULL AND next_escalation_ms <= $1 AND closed = 0 AND status IN ('pending', 'hold')
            ORDER BY next_escalation_ms, release_id
            """,
            [.integer(now)]
        ).map(Self.check(row:))
    }

    /// Counts one more published event of the check; returns its revision (one statement: a
    /// round trip fewer at each check's change on PostgreSQL than an update and a read).
    func nextRevision(_ releaseId: String) throws -> Int {
        try transaction.fetchOne(
            "UPDATE warrant_checks SET revision = revision + 1 WHERE release_id = $1 RETURNING revision", [.text(releaseId)]
        )?.get("revision") ?? 0
    }

    /// Open checks (release not yet happened or cancelled), optionally of one facility and one
    /// status, by expected time then release id: what `reentrybus warrant-checks` lists.
    public func openChecks(facilityId: String? = nil, status: String? = nil) throws -> [WarrantCheck] {
        var conditions = ["closed = 0"]
        var arguments: [SQLValue] = []
        if let facilityId {
            arguments.append(.text(facilityId))
            conditions.append("facility_id = $\(arguments.count)")
        }
        if let status {
            arguments.append(.text(status))
            conditions.append("status = $\(arguments.count)")
        }
        return try transaction.fetchAll(
            "SELECT \(Self.checkColumns) FROM warrant_checks WHERE \(conditions.joined(separator: " AND ")) ORDER BY expected_at_ms, release_id",
            arguments
        ).map(Self.check(row:))
    }

    // MARK: Who was told

    /// Records that `recipient` was sent a notification of `rule` about the check.
    func recordTold(_ releaseId: String, recipient: String, rule: String) throws {
        try transaction.send(
            "INSERT INTO warrant_check_told (release_id, recipient, rule) VALUES ($1, $2, $3) ON CONFLICT (release_id, recipient, rule) DO NOTHING",
            [.text(releaseId), .text(recipient), .text(rule)])
    }

    /// Who was told about the check, and by which rules: `(recipient, rule)` in order.
    public func told(_ releaseId: String) throws -> [(recipient: String, rule: String)] {
        try transaction.fetchAll(
            "SELECT recipient, rule FROM warrant_check_told WHERE release_id = $1 ORDER BY recipient, rule", [.text(releaseId)]
        ).map { (try $0.get("recipient"), try $0.get("rule")) }
    }

    // MARK: Clock

    /// The latest tick read (ms since 1970); nil before the first.
    func lastTick() throws -> Int64? { try clock.last() }

    func recordTick(_ atMilliseconds: Int64) throws { try clock.record(atMilliseconds) }

    private var clock: TickClock { TickClock(table: "warrant_clock", in: transaction) }
}
