import Contracts
import Foundation
import Storage

extension ReleaseBoardStore {
    /// A facility's releases whose day falls within `withinDays` days of `asOf` (UTC days,
    /// `asOf`'s day and the last one included), each as it stood at `asOf`: the latest
    /// expected day by then, or for a release completed with no schedule read, the day it
    /// happened. Every status is listed, so a coordinator sees what was cancelled or has
    /// already happened; a release not yet scheduled or completed by `asOf` is not. Sorted by
    /// that instant, then release id.
    ///
    /// Each row carries the person's warrants and detainers active at `asOf` (matched on state
    /// ID or FBI number, as the warrant resolver matches them), the check they give, and who
    /// was told: notifications whose source event is one of the release's events or that name
    /// its release id (`about: release`), and other notifications with the person's state ID
    /// (`about: person`), each only if it reports something that happened by `asOf`.
    public func board(facilityId: String, asOf: Date, withinDays: Int = 60, in transaction: any StorageTransaction) throws -> [ReleaseBoardRow] {
        let window = ViewTime.dayWindow(asOf: asOf, days: withinDays)
        let asOfMilliseconds = ViewTime.milliseconds(asOf)
        let onBoard = "r.facility_id = $1 AND r.board_at >= $2 AND r.board_at < $3 AND \(releases.inForceCondition("r", asOf: "$4"))"
        let arguments: [SQLValue] = [.text(facilityId), .integer(window.from), .integer(window.until), .integer(asOfMilliseconds)]
        let releasesTable = releases.releasesTable

        let releaseRows = try transaction.fetchAll(
            "SELECT \(StoredRelease.columns("r")) FROM \(releasesTable) r WHERE \(onBoard) ORDER BY r.board_at, r.release_id",
            arguments)

        var warrantsByRelease: [String: [ActiveWarrant]] = [:]
        for row in try transaction.fetchAll(
            """
            SELECT r.release_id AS board_release_id, \(ActiveWarrant.columns("w"))
            FROM \(releasesTable) r JOIN \(warrants.recordsTable) w ON (w.state_id = r.state_id OR w.fbi_number = r.fbi_number)
            WHERE \(onBoard) AND \(warrants.isType(.warrant, "w")) AND \(warrants.activeCondition("w", asOf: "$4"))
            ORDER BY w.issued_at, w.record_id
            """, arguments)
        {
            warrantsByRelease[try row.get("board_release_id"), default: []].append(try ActiveWarrant(row, table: warrants.recordsTable))
        }

        var detainersByRelease: [String: [ActiveDetainer]] = [:]
        for row in try transaction.fetchAll(
            """
            SELECT r.release_id AS board_release_id, \(ActiveDetainer.columns("d"))
            FROM \(releasesTable) r JOIN \(warrants.recordsTable) d ON (d.state_id = r.state_id OR d.fbi_number = r.fbi_number)
            WHERE \(onBoard) AND \(warrants.isType(.detainer, "d")) AND \(warrants.activeCondition("d", asOf: "$4"))
            ORDER BY d.issued_at, d.record_id
            """, arguments)
        {
            detainersByRelease[try row.get("board_release_id"), default: []].append(try ActiveDetainer(row, table: warrants.recordsTable))
        }

        let toldByRelease = try told(onBoard: onBoard, arguments: arguments, in: transaction)

        return try releaseRows.map { row in
            let release = try StoredRelease(row, table: releasesTable)
            let state = release.state
            let activeWarrants = warrantsByRelease[release.releaseId] ?? []
            let activeDetainers = detainersByRelease[release.releaseId] ?? []
            return ReleaseBoardRow(
                releaseId: release.releaseId, person: release.person, status: state.status,
                facility: try release.facility(table: releasesTable), expectedAt: state.expectedAt, releasedAt: state.releasedAt,
                releaseType: state.releaseType, destination: state.destination, supervisionType: state.supervisionType,
                supervisingAgencyId: state.supervisingAgencyId,
                warrantCheck: !activeDetainers.isEmpty ? .hold : !activeWarrants.isEmpty ? .pending : .clear,
                activeWarrants: activeWarrants, activeDetainers: activeDetainers,
                told: toldByRelease[release.releaseId] ?? [])
        }
    }

    /// SQL true for a notice a release coordinator is shown for the person (not only for the
    /// release): those sourced from warrants, detainers, releases, arrests and bookings, what
    /// bears on letting the person go, with the escalations of URGENT notices (sourced from the
    /// notice) and what the person index linked or undid (`bus.identity`: a warrant found
    /// through a link, its retraction). Notices of a mental-health bulletin, an investigation,
    /// a police contact, an incident or the supervision itself are about the person too, but
    /// they are health, intelligence or supervision matters the facility has no need of.
    static func custodyNotice(_ alias: String) -> String {
        "(\(alias).source_event_type LIKE 'courts.%' OR \(alias).source_event_type LIKE 'custody.%' "
            + "OR \(alias).source_event_type LIKE 'bus.identity.%' "
            + "OR \(alias).source_event_type IN ('police.arrest.made', 'police.booking.recorded', 'bus.notification.routed'))"
    }

    /// The notifications about each release on the board (one per notification and release;
    /// `release` wins over `person` when both link it).
    private func told(onBoard: String, arguments: [SQLValue], in transaction: any StorageTransaction) throws -> [String: [ToldRecipient]] {
        let releasesTable = releases.releasesTable
        let noticeColumns = "n.notification_id, n.recipient, n.rule, n.priority, n.occurred_at, n.source_event_type"
        let rows = try transaction.fetchAll(
            """
            SELECT r.release_id AS board_release_id, \(noticeColumns), 'release' AS about
            FROM \(releasesTable) r JOIN \(notices.table) n ON n.release_id = r.release_id
            WHERE \(onBoard) AND n.occurred_at <= $4
            UNION ALL
            SELECT r.release_id AS board_release_id, \(noticeColumns), 'release' AS about
            FROM \(releasesTable) r JOIN \(releases.eventsTable) e ON e.release_id = r.release_id
                JOIN \(notices.table) n ON n.source_event_id = e.event_id
            WHERE \(onBoard) AND n.occurred_at <= $4
            UNION ALL
            SELECT r.release_id AS board_release_id, \(noticeColumns), 'person' AS about
            FROM \(releasesTable) r JOIN \(notices.table) n ON n.subject_state_id = r.state_id
            WHERE \(onBoard) AND n.occurred_at <= $4 AND \(Self.custodyNotice("n"))
            """, arguments)
        var byRelease: [String: [String: ToldRecipient]] = [:]
        for row in rows {
            let told = ToldRecipient(
                notificationId: try row.get("notification_id"), recipient: try row.get("recipient"), rule: try row.get("rule"),
                priority: try row.get("priority"), occurredAt: ViewTime.date(try row.get("occurred_at")),
                sourceEventType: try row.get("source_event_type"),
                about: try StoredColumn.code(ToldRecipient.About.self, "about", in: row, table: notices.table))
            let releaseId: String = try row.get("board_release_id")
            if let known = byRelease[releaseId]?[told.notificationId], known.about == .release { continue }
            byRelease[releaseId, default: [:]][told.notificationId] = told
        }
        return byRelease.mapValues { list in
            list.values.sorted { ($0.occurredAt, $0.notificationId) < ($1.occurredAt, $1.notificationId) }
        }
    }
}
