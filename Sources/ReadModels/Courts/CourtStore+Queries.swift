import Contracts
import Foundation
import Storage

extension CourtStore {
    /// The warrants `courtId` issued that are active at `asOf`: issued on or before its day
    /// (UTC) and not served, recalled or quashed by then. Sorted by issue day, then warrant id.
    ///
    /// - Throws: `StorageError`; ``UnreadableViewRow`` for a stored value this version cannot read.
    public func warrants(courtId: String, asOf: Date, in transaction: any StorageTransaction) throws -> [CourtWarrant] {
        let table = Self.warrants.recordsTable
        return try transaction.fetchAll(
            """
            SELECT w.* FROM \(table) w
            WHERE w.record_type = 'warrant' AND w.agency_id = $1 AND \(Self.warrants.activeCondition("w", asOf: "$2"))
            ORDER BY w.issued_at, w.record_id
            """,
            [.text(courtId), .integer(ViewTime.milliseconds(asOf))]
        ).map { row in
            let person = try PersonOnRecord(row, table: table)
            let warrant = try ActiveWarrant(row, table: table)
            return CourtWarrant(
                warrantId: warrant.warrantId, personKey: person.personKey, stateId: person.stateId, fbiNumber: person.fbiNumber,
                name: person.name, warrantKind: warrant.kind, issuedOn: warrant.issuedOn, caseNumber: warrant.caseNumber,
                offenses: warrant.charges)
        }
    }

    /// The releases pending at `asOf` (scheduled by then, neither cancelled nor completed by
    /// then, with their date as it stood then) of people for whom `courtId` holds a warrant
    /// active at `asOf`, each with those warrants. Sorted by release date (soonest first), then
    /// release id.
    ///
    /// - Throws: `StorageError`; ``UnreadableViewRow`` for a stored value this version cannot read.
    public func blockedReleases(courtId: String, asOf: Date, in transaction: any StorageTransaction) throws -> [BlockedRelease] {
        let table = Self.releases.releasesTable
        let rows = try transaction.fetchAll(
            """
            SELECT \(StoredRelease.columns("r")), w.record_id AS warrant_id FROM \(table) r
            JOIN \(Self.warrants.recordsTable) w ON (w.state_id = r.state_id OR w.fbi_number = r.fbi_number)
            WHERE w.record_type = 'warrant' AND w.agency_id = $1 AND \(Self.warrants.activeCondition("w", asOf: "$2"))
                AND \(Self.releases.upcomingCondition("r", asOf: "$2")) AND r.expected_at IS NOT NULL
            ORDER BY r.expected_at, r.release_id, w.record_id
            """,
            [.text(courtId), .integer(ViewTime.milliseconds(asOf))])
        var releases: [BlockedRelease] = []
        for row in rows {
            let warrantId = try row.get("warrant_id", as: String.self)
            let release = try StoredRelease(row, table: table)
            if releases.last?.releaseId == release.releaseId {
                releases[releases.count - 1].warrantIds.append(warrantId)
                continue
            }
            let person = release.person
            releases.append(BlockedRelease(
                releaseId: release.releaseId, personKey: person.personKey, stateId: person.stateId, fbiNumber: person.fbiNumber,
                name: person.name, facility: release.state.facility, expectedAt: try release.expectedAt(table: table),
                warrantIds: [warrantId]))
        }
        return releases
    }
}
