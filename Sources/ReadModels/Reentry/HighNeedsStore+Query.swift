import Contracts
import Foundation
import Storage

extension HighNeedsStore {
    /// People releasing within `withinDays` days of `asOf` (releases still `scheduled` or
    /// `changed` at `asOf` whose expected day, UTC, as it stood then, is `asOf`'s day or one of
    /// the next `withinDays`: day 60 in, day 61 out) for whom at least one of these holds, each
    /// listed in `reasons`:
    ///
    /// - `high_risk`: their latest assessment completed by `asOf` has a high or very high risk
    ///   level (a later, lower assessment takes them off);
    /// - `high_needs`: that assessment scores a need high or very high;
    /// - `violent_incident_victim` / `violent_incident_suspect`: a violent incident at or after
    ///   the same time of day 12 calendar months before `asOf`, and not after `asOf`, names
    ///   them as a victim / suspect.
    ///
    /// Assessments and incidents meet a release on either number: one naming by the FBI number
    /// someone released under the state ID (with the FBI number) counts; an incident naming
    /// the person once by each number counts once.
    ///
    /// Sorted by expected release, then release id.
    public func highNeeds(asOf: Date, withinDays: Int = 60, in transaction: any StorageTransaction) throws -> [HighNeedsRow] {
        let window = ViewTime.dayWindow(asOf: asOf, days: withinDays)
        let asOfMilliseconds = ViewTime.milliseconds(asOf)
        let upcoming = "\(releaseLedger.upcomingCondition("r", asOf: "$1")) AND r.expected_at >= $2 AND r.expected_at < $3"
        let table = releaseLedger.releasesTable
        let releaseRows = try transaction.fetchAll(
            """
            SELECT \(StoredRelease.columns("r")), \(LatestAssessment.columns("la"))
            FROM \(table) r \(assessmentLedger.latestJoin("la", person: "r", asOf: "$1"))
            WHERE \(upcoming)
            ORDER BY r.expected_at, r.release_id
            """,
            [.integer(asOfMilliseconds), .integer(window.from), .integer(window.until)])

        var incidentsByRelease: [String: [IncidentInvolvement]] = [:]
        for row in try transaction.fetchAll(
            """
            SELECT DISTINCT r.release_id AS board_release_id, i.incident_id, i.incident_kind, i.incident_at, p.role
            FROM \(table) r
                JOIN \(incidentLedger.peopleTable) p ON (p.state_id = r.state_id OR p.fbi_number = r.fbi_number)
                JOIN \(incidentLedger.incidentsTable) i ON i.incident_id = p.incident_id
            WHERE \(upcoming) AND i.incident_at >= $4 AND i.incident_at <= $1
            ORDER BY i.incident_at, i.incident_id, p.role
            """,
            [
                .integer(asOfMilliseconds), .integer(window.from), .integer(window.until),
                .integer(ViewTime.monthsBefore(Self.incidentMonths, asOf)),
            ])
        {
            incidentsByRelease[try row.get("board_release_id"), default: []].append(IncidentInvolvement(
                incidentId: try row.get("incident_id"),
                kind: try StoredColumn.code(ViolentIncidentKind.self, "incident_kind", in: row, table: incidentLedger.incidentsTable),
                incidentAt: ViewTime.date(try row.get("incident_at")),
                role: try StoredColumn.code(IncidentRole.self, "role", in: row, table: incidentLedger.peopleTable)))
        }

        var list: [HighNeedsRow] = []
        for row in releaseRows {
            let release = try StoredRelease(row, table: table)
            let state = release.state
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
                releaseId: release.releaseId, person: release.person, status: state.status, facility: try release.facility(table: table),
                expectedAt: try release.expectedAt(table: table), releaseType: state.releaseType, destination: state.destination,
                supervisionType: state.supervisionType, supervisingAgencyId: state.supervisingAgencyId, reasons: reasons,
                latestAssessment: assessment,
                highNeeds: highNeeds, incidents: incidents))
        }
        return list
    }
}
