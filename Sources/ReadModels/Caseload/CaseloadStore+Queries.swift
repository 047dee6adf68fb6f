import Contracts
import Foundation
import Storage

extension CaseloadStore {
    /// The supervisees an officer supervises at `asOf`: every case on the caseload that day
    /// whose officer assigned last at or before `asOf` is `officerId`, each with its flags.
    ///
    /// - Parameters:
    ///   - asOf: the moment asked about. Cases, officers, addresses, conditions and the
    ///     assessment are those in force then; point flags (arrest, booking, contact,
    ///     incident) those dated up to it; warrants, detainers and releases those pending then.
    ///   - since: only flags dated at or after it; supervisees left with none are left out.
    ///   - kinds: only flags of these kinds; supervisees left with none are left out.
    /// - Returns: entries sorted by their most recent flag (latest first; those without a
    ///   flag last), then by case id; each entry's flags latest first.
    /// - Throws: `StorageError`; ``UnreadableViewRow`` for a stored value this version cannot read.
    public func caseload(
        officerId: String, asOf: Date, since: Date? = nil, kinds: Set<CaseloadFlag.Kind>? = nil,
        in transaction: any StorageTransaction
    ) throws -> [CaseloadEntry] {
        try CaseloadQuery(scope: "o.officer_id = $1", id: officerId, asOf: asOf, since: since, kinds: kinds).run(transaction)
    }

    /// The supervisees of a supervising agency at `asOf` (every officer's, and cases without
    /// an officer); otherwise as ``caseload(officerId:asOf:since:kinds:in:)``.
    public func caseload(
        agencyId: String, asOf: Date, since: Date? = nil, kinds: Set<CaseloadFlag.Kind>? = nil,
        in transaction: any StorageTransaction
    ) throws -> [CaseloadEntry] {
        try CaseloadQuery(scope: "c.agency_id = $1", id: agencyId, asOf: asOf, since: since, kinds: kinds).run(transaction)
    }
}

/// One caseload query: the cases in scope, then each kind of fact for all of them at once
/// (one statement each, whatever the caseload's size), assembled per case.
///
/// Every statement binds `$1` (officer or agency id), `$2` (00:00 UTC of the day asked
/// about), `$3` (the moment asked about) and, with `since`, `$4`.
private struct CaseloadQuery {
    let scope: String
    let id: String
    let asOf: Date
    let since: Date?
    let kinds: Set<CaseloadFlag.Kind>?

    /// The active cases in scope, with the officer in force (`o`).
    ///
    /// Written so that PostgreSQL can start from the officer's assignments: the latest
    /// assignment is found through `o`'s own case, and a case's end is a `NOT EXISTS` (with a
    /// `LEFT JOIN … IS NULL` it guessed that almost no case is open, and with the lookup through
    /// `c` it could not start from `o`: it read every case of the state for one officer's).
    var activeCases: String {
        """
        FROM caseload_cases c
        LEFT JOIN caseload_officers o ON o.case_id = c.case_id AND o.effective_at = (
            SELECT max(p.effective_at) FROM caseload_officers p WHERE p.case_id = o.case_id AND p.effective_at <= $3)
        WHERE \(scope) AND c.start_at <= $2
            AND NOT EXISTS (SELECT 1 FROM caseload_case_ends e WHERE e.case_id = c.case_id AND e.end_at < $2)
        """
    }

    var inScope: String { "IN (SELECT c.case_id \(activeCases))" }

    /// The person's facts joined to each case in scope, by state ID or FBI number.
    func personFacts(_ table: String, _ alias: String) -> String {
        """
        FROM \(table) \(alias)
        JOIN caseload_cases k ON (\(alias).state_id = k.state_id OR \(alias).fbi_number = k.fbi_number)
        """
    }

    var arguments: [SQLValue] {
        let instant = ViewTime.milliseconds(asOf)
        return [.text(id), .integer(ViewTime.startOfDay(containing: instant)), .integer(instant)]
    }

    /// `AND <column> >= $4` and its argument when `since` is given.
    func sinceClause(_ column: String) -> (sql: String, arguments: [SQLValue]) {
        guard let since else { return ("", arguments) }
        return ("AND \(column) >= $4", arguments + [.integer(ViewTime.milliseconds(since))])
    }

    func wants(_ kind: CaseloadFlag.Kind) -> Bool { kinds?.contains(kind) ?? true }

    func run(_ transaction: any StorageTransaction) throws -> [CaseloadEntry] {
        let cases = try transaction.fetchAll(
            "SELECT c.*, o.officer_id, o.officer_name, o.officer_phone, o.officer_email \(activeCases) ORDER BY c.case_id", arguments)
        guard !cases.isEmpty else { return [] }
        let addresses = try latestPerCase(
            "SELECT a.* FROM caseload_addresses a WHERE a.case_id \(inScope) AND a.effective_at <= $2 ORDER BY a.case_id, a.effective_at",
            key: "case_id", transaction)
        let conditions = try latestPerCase(
            "SELECT s.* FROM caseload_conditions s WHERE s.case_id \(inScope) AND s.effective_at <= $2 ORDER BY s.case_id, s.effective_at",
            key: "case_id", transaction)
        let assessments = try latestPerCase(
            """
            SELECT k.case_id AS for_case, a.* \(personFacts("caseload_assessments", "a"))
            WHERE k.case_id \(inScope) AND a.completed_at <= $3
            ORDER BY k.case_id, a.completed_at, a.occurred_at, a.assessment_id
            """,
            key: "for_case", transaction)
        let flags = try self.flags(transaction)

        var entries: [CaseloadEntry] = []
        for row in cases {
            let caseId = try row.get("case_id", as: String.self)
            let caseFlags = (flags[caseId] ?? []).sorted(by: Self.latestFirst)
            if (since != nil || kinds != nil) && caseFlags.isEmpty { continue }
            entries.append(try Self.entry(
                row, address: addresses[caseId], conditions: conditions[caseId], assessment: assessments[caseId], flags: caseFlags))
        }
        return entries.sorted { left, right in
            switch (left.mostRecentFlagDate, right.mostRecentFlagDate) {
            case let (l?, r?) where l != r: l > r
            case (_?, nil): true
            case (nil, _?): false
            default: left.caseId < right.caseId
            }
        }
    }

    /// The last row of each case (rows ordered so that the one in force comes last).
    private func latestPerCase(_ sql: String, key: String, _ transaction: any StorageTransaction) throws -> [String: StorageRow] {
        var latest: [String: StorageRow] = [:]
        for row in try transaction.fetchAll(sql, arguments) { latest[try row.get(key, as: String.self)] = row }
        return latest
    }

    /// The flags of each case in scope, by case id.
    private func flags(_ transaction: any StorageTransaction) throws -> [String: [CaseloadFlag]] {
        var byCase: [String: [CaseloadFlag]] = [:]
        let pointKinds: [CaseloadFlag.Kind] = [.arrest, .booking, .policeContact, .violentIncidentVictim, .violentIncidentSuspect]
        if pointKinds.contains(where: wants) {
            let (sinceSQL, bound) = sinceClause("f.flag_at")
            for row in try transaction.fetchAll(
                "SELECT k.case_id AS for_case, f.* \(personFacts("caseload_flags", "f")) WHERE k.case_id \(inScope) AND f.flag_at <= $3 \(sinceSQL)",
                bound)
            {
                let kind = try StoredColumn.code(CaseloadFlag.Kind.self, "kind", in: row, table: "caseload_flags")
                guard wants(kind) else { continue }
                byCase[try row.get("for_case", as: String.self), default: []].append(CaseloadFlag(
                    kind: kind, date: ViewTime.date(try row.get("flag_at", as: Int64.self)),
                    sourceRecordId: try row.get("record_id", as: String.self), agencyId: try row.get("agency_id", as: String?.self),
                    detail: try row.get("detail", as: String?.self),
                    relationToSubject: try StoredColumn.optionalCode(RelationToSubject.self, "relation_to_subject", in: row, table: "caseload_flags"),
                    atSubjectResidence: try row.get("at_subject_residence", as: Bool?.self)))
            }
        }
        if wants(.activeWarrant) || wants(.activeDetainer) {
            let warrants = CaseloadStore.warrants
            let (sinceSQL, bound) = sinceClause("w.issued_at")
            for row in try transaction.fetchAll(
                """
                SELECT k.case_id AS for_case, w.record_type, w.record_id, w.kind, w.agency_id, w.issued_at
                \(personFacts(warrants.recordsTable, "w"))
                WHERE k.case_id \(inScope) AND \(warrants.activeCondition("w", asOf: "$3")) \(sinceSQL)
                """,
                bound)
            {
                let recordType = try StoredColumn.code(WarrantLedger.RecordType.self, "record_type", in: row, table: warrants.recordsTable)
                let kind: CaseloadFlag.Kind = recordType == .warrant ? .activeWarrant : .activeDetainer
                guard wants(kind) else { continue }
                byCase[try row.get("for_case", as: String.self), default: []].append(CaseloadFlag(
                    kind: kind, date: ViewTime.date(try row.get("issued_at", as: Int64.self)),
                    sourceRecordId: try row.get("record_id", as: String.self), agencyId: try row.get("agency_id", as: String.self),
                    detail: try row.get("kind", as: String.self)))
            }
        }
        if wants(.scheduledRelease) {
            let releases = CaseloadStore.releases
            let (sinceSQL, bound) = sinceClause("r.expected_at")
            for row in try transaction.fetchAll(
                """
                SELECT k.case_id AS for_case, r.release_id, r.facility_id, r.facility_name, r.expected_at
                \(personFacts(releases.releasesTable, "r"))
                WHERE k.case_id \(inScope) AND \(releases.upcomingCondition("r", asOf: "$3")) AND r.expected_at IS NOT NULL \(sinceSQL)
                """,
                bound)
            {
                byCase[try row.get("for_case", as: String.self), default: []].append(CaseloadFlag(
                    kind: .scheduledRelease, date: ViewTime.date(try row.get("expected_at", as: Int64.self)),
                    sourceRecordId: try row.get("release_id", as: String.self), agencyId: try row.get("facility_id", as: String?.self),
                    detail: try row.get("facility_name", as: String?.self)))
            }
        }
        return byCase
    }

    private static func latestFirst(_ left: CaseloadFlag, _ right: CaseloadFlag) -> Bool {
        if left.date != right.date { return left.date > right.date }
        if left.kind != right.kind { return left.kind.rawValue < right.kind.rawValue }
        return left.sourceRecordId < right.sourceRecordId
    }

    private static func entry(
        _ row: StorageRow, address: StorageRow?, conditions: StorageRow?, assessment: StorageRow?, flags: [CaseloadFlag]
    ) throws -> CaseloadEntry {
        let officer: Officer? = try row.get("officer_id", as: String?.self).map { officerId in
            Officer(officerId: officerId, name: try row.get("officer_name", as: String.self),
                    phone: try row.get("officer_phone", as: String?.self), email: try row.get("officer_email", as: String?.self))
        }
        let person = try PersonOnRecord(row, table: "caseload_cases")
        return CaseloadEntry(
            caseId: try row.get("case_id", as: String.self), personKey: person.personKey, stateId: person.stateId,
            fbiNumber: person.fbiNumber, name: person.name,
            supervisionType: try StoredColumn.code(SupervisionType.self, "supervision_type", in: row, table: "caseload_cases"),
            supervisingAgencyId: try row.get("agency_id", as: String.self), officer: officer,
            startDate: try StoredColumn.day("start_at", in: row),
            expectedEndDate: try StoredColumn.optionalDay("expected_end_at", in: row),
            conditions: try conditions.map {
                try StoredColumn.json([SupervisionCondition].self, "conditions", in: $0, table: "caseload_conditions")
            } ?? [],
            conditionsEffectiveDate: try conditions.map { try StoredColumn.day("effective_at", in: $0) },
            address: try address.map(Self.address),
            addressEffectiveDate: try address.map { try StoredColumn.day("effective_at", in: $0) },
            householdMembers: try address.flatMap {
                try StoredColumn.optionalJSON([HouseholdMember].self, "household", in: $0, table: "caseload_addresses")
            },
            latestAssessment: try assessment.map { row in
                CaseloadAssessment(
                    assessmentId: try row.get("assessment_id", as: String.self), instrument: try row.get("instrument", as: String.self),
                    riskLevel: try StoredColumn.code(RiskLevel.self, "risk_level", in: row, table: "caseload_assessments"),
                    completedOn: try StoredColumn.day("completed_at", in: row))
            },
            flags: flags)
    }

    private static func address(_ row: StorageRow) throws -> Address {
        let latitude = try row.get("latitude", as: Double?.self)
        let longitude = try row.get("longitude", as: Double?.self)
        return Address(
            line1: try row.get("line1", as: String.self), line2: try row.get("line2", as: String?.self),
            city: try row.get("city", as: String.self), state: try row.get("state", as: String.self),
            postalCode: try row.get("postal_code", as: String?.self),
            coordinates: latitude.flatMap { latitude in longitude.map { Coordinates(latitude: latitude, longitude: $0) } })
    }
}
