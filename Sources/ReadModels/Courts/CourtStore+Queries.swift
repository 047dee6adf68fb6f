import Contracts
import Foundation
import Storage

extension CourtStore {
    /// The warrants `courtId` issued that are active at `asOf`: issued on or before its day
    /// (UTC) and not served, recalled or quashed by then. Sorted by issue day, then warrant id.
    ///
    /// - Throws: `StorageError`; ``UnreadableViewRow`` for a stored value this version cannot read.
    public func warrants(courtId: String, asOf: Date, in transaction: any StorageTransaction) throws -> [CourtWarrant] {
        try transaction.fetchAll(
            """
            SELECT w.* FROM court_warrants w
            LEFT JOIN court_warrant_clearances x ON x.record_kind = w.record_kind AND x.record_id = w.record_id
            WHERE w.record_kind = 'warrant' AND w.agency_id = $1 AND w.issued_ms <= $2 AND (x.cleared_ms IS NULL OR x.cleared_ms > $2)
            ORDER BY w.issued_ms, w.record_id
            """,
            [.text(courtId), .integer(ViewTime.milliseconds(asOf))]
        ).map { row in
            CourtWarrant(
                warrantId: try row.get("record_id", as: String.self), personKey: try row.get("person_key", as: String.self),
                stateId: try row.get("state_id", as: String?.self), fbiNumber: try row.get("fbi_number", as: String?.self),
                name: try KeyedPerson.name(in: row),
                warrantKind: try StoredColumn.code(WarrantKind.self, "subtype", in: row, table: "court_warrants"),
                issuedOn: ViewTime.day(try row.get("issued_ms", as: Int64.self)), caseNumber: try row.get("case_number", as: String?.self),
                offenses: try StoredColumn.json([Charge].self, "charges", in: row, table: "court_warrants") ?? [])
        }
    }

    /// The releases pending at `asOf` (scheduled by then, neither cancelled nor completed) of
    /// people for whom `courtId` holds a warrant active at `asOf`, each with those warrants.
    /// Sorted by release date (soonest first), then release id.
    ///
    /// - Throws: `StorageError`; ``UnreadableViewRow`` for a stored value this version cannot read.
    public func blockedReleases(courtId: String, asOf: Date, in transaction: any StorageTransaction) throws -> [BlockedRelease] {
        let rows = try transaction.fetchAll(
            """
            SELECT r.*, w.record_id AS warrant_id FROM court_releases r
            JOIN court_warrants w ON (w.state_id = r.state_id OR w.fbi_number = r.fbi_number)
            LEFT JOIN court_warrant_clearances x ON x.record_kind = w.record_kind AND x.record_id = w.record_id
            WHERE w.record_kind = 'warrant' AND w.agency_id = $1 AND w.issued_ms <= $2 AND (x.cleared_ms IS NULL OR x.cleared_ms > $2)
                AND r.scheduled_ms IS NOT NULL AND r.scheduled_ms <= $2 AND (r.ended_ms IS NULL OR r.ended_ms > $2)
                AND r.expected_ms IS NOT NULL
            ORDER BY r.expected_ms, r.release_id, w.record_id
            """,
            [.text(courtId), .integer(ViewTime.milliseconds(asOf))])
        var releases: [BlockedRelease] = []
        for row in rows {
            let releaseId = try row.get("release_id", as: String.self)
            let warrantId = try row.get("warrant_id", as: String.self)
            if releases.last?.releaseId == releaseId {
                releases[releases.count - 1].warrantIds.append(warrantId)
                continue
            }
            releases.append(BlockedRelease(
                releaseId: releaseId, personKey: try row.get("person_key", as: String.self),
                stateId: try row.get("state_id", as: String?.self), fbiNumber: try row.get("fbi_number", as: String?.self),
                name: try KeyedPerson.name(in: row), facility: try Self.facility(row),
                expectedAt: ViewTime.date(try row.get("expected_ms", as: Int64.self)), warrantIds: [warrantId]))
        }
        return releases
    }

    private static func facility(_ row: StorageRow) throws -> Facility? {
        guard let facilityId = try row.get("facility_id", as: String?.self) else { return nil }
        return Facility(
            facilityId: facilityId, name: try row.get("facility_name", as: String.self),
            kind: try StoredColumn.code(FacilityKind.self, "facility_kind", in: row, table: "court_releases"))
    }
}
