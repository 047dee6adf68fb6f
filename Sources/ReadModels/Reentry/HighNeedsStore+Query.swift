import Contracts
import Foundation
import Storage

extension HighNeedsStore {
    /// People releasing within `withinDays` days of `asOf` (releases still `scheduled` or
    /// `changed` whose expected day, UTC, is `asOf`'s day or one of the next `withinDays`:
    /// day 60 in, day 61 out) for whom at least one of these holds, each listed in `reasons`:
    ///
    /// - `high_risk`: their latest assessment completed by `asOf` has a high or very high risk
    ///   level (a later, lower assessment takes them off);
    /// - `high_needs`: that assessment scores a need high or very high;
    /// - `violent_incident_victim` / `violent_incident_suspect`: a violent incident at or after
    ///   the same time of day 12 calendar months before `asOf`, and not after `asOf`, names
    ///   them (by state ID) as a victim / suspect.
    ///
    /// Sorted by expected release, then release id.
    public func highNeeds(asOf: Date, withinDays: Int = 60, in transaction: any StorageTransaction) throws -> [HighNeedsRow] {
        let window = LedgerTime.dayWindow(asOf: asOf, days: withinDays)
        let asOfMilliseconds = LedgerTime.milliseconds(asOf)
        let upcoming = "r.status IN ('scheduled', 'changed') AND r.expected_at >= $2 AND r.expected_at < $3 AND r.facility_id IS NOT NULL"
        let table = releaseLedger.releasesTable
        let releaseRows = try transaction.fetchAll(
            """
            WITH \(assessmentLedger.latestSQL(asOf: "$1"))
            SELECT \(StoredRelease.columns("r")), \(LatestAssessment.columns("la"))
            FROM \(table) r LEFT JOIN latest_assessment la ON la.person_key = r.person_key
            WHERE \(upcoming)
            ORDER BY r.expected_at, r.release_id
            """,
            [.integer(asOfMilliseconds), .integer(window.from), .integer(window.until)])

        var incidentsByRelease: [String: [IncidentInvolvement]] = [:]
        for row in try transaction.fetchAll(
            """
            SELECT r.release_id AS board_release_id, i.incident_id, i.incident_kind, i.incident_at, p.role
            FROM \(table) r
                JOIN \(incidentLedger.peopleTable) p ON p.person_key = r.person_key
                JOIN \(incidentLedger.incidentsTable) i ON i.incident_id = p.incident_id
            WHERE \(upcoming) AND i.incident_at >= $4 AND i.incident_at <= $1
            ORDER BY i.incident_at, i.incident_id, p.role
            """,
            [
                .integer(asOfMilliseconds), .integer(window.from), .integer(window.until),
                .integer(LedgerTime.monthsBefore(Self.incidentMonths, asOf)),
            ])
        {
            guard let kind = ViolentIncidentKind(rawValue: try row.get("incident_kind")) else {
                throw StoredValueError(table: incidentLedger.incidentsTable, column: "incident_kind")
            }
            guard let role = IncidentRole(rawValue: try row.get("role")) else {
                throw StoredValueError(table: incidentLedger.peopleTable, column: "role")
            }
            incidentsByRelease[try row.get("board_release_id"), default: []].append(IncidentInvolvement(
                incidentId: try row.get("incident_id"), kind: kind,
                incidentAt: LedgerTime.date(milliseconds: try row.get("incident_at")), role: role))
        }

        var list: [HighNeedsRow] = []
        for row in releaseRows {
            let release = try StoredRelease(row, table: table)
            guard let facility = release.facility, let expectedAt = release.expectedAt else {
                throw StoredValueError(table: table, column: "facility_id")
            }
            let assessment = try LatestAssessment(row, table: assessmentLedger.table)
            let highNeeds = (assessment?.needs ?? []).filter { Self.highLevels.contains($0.level) }
            let incidents = incidentsByRelease[release.releaseId] ?? []
            var reasons: [HighNeedsReason] = []
            if let assessment, Self.highLevels.contains(assessment.riskLevel) { reasons.append(.highRisk) }
            if !highNeeds.isEmpty { reasons.append(.highNeeds) }
            if incidents.contains(where: { $0.role == .victim }) { reasons.append(.violentIncidentVictim) }
            if incidents.contains(where: { $0.role == .suspect }) { reasons.append(.violentIncidentSuspect) }
            guard !reasons.isEmpty else { continue }  // releasing soon, but no rule applies: not on the list
            list.append(HighNeedsRow(
                releaseId: release.releaseId, person: release.person, status: release.status, facility: facility,
                expectedAt: LedgerTime.date(milliseconds: expectedAt), releaseType: release.releaseType,
                destination: release.destination, supervisionType: release.supervisionType,
                supervisingAgencyId: release.supervisingAgencyId, reasons: reasons, latestAssessment: assessment,
                highNeeds: highNeeds, incidents: incidents))
        }
        return list
    }
}
