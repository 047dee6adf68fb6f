import Contracts
import Directory
import Foundation
import Storage

extension PoliceViewStore {
    /// The whole view of the police agency `agencyId` for `places` (its jurisdiction) at
    /// `asOf`: the four lists below.
    public func view(
        of places: [JurisdictionPlace], for agencyId: String, asOf: Date, withinDays: Int = 60, in transaction: any StorageTransaction
    ) throws -> PoliceView {
        PoliceView(
            releases: try releases(into: places, asOf: asOf, withinDays: withinDays, in: transaction),
            warrants: try warrants(in: places, asOf: asOf, in: transaction),
            supervisees: try supervisees(in: places, asOf: asOf, in: transaction),
            bulletins: try bulletins(for: agencyId, in: places, asOf: asOf, in: transaction))
    }

    /// People releasing into `places` within `withinDays` days of `asOf`: releases still
    /// `scheduled` or `changed` at `asOf` (scheduled by then, neither cancelled nor completed
    /// by then) whose expected day (UTC), as it stood then, is `asOf`'s day or one of the next
    /// `withinDays` days (day 60 in, day 61 out), whose destination's state and city are among
    /// `places`. Each with its facility, the supervision it leads to, the person's active case
    /// at `asOf` and latest assessment by `asOf` (risk level, instrument, date). Sorted by
    /// expected release, then release id. A release without a destination is in no
    /// jurisdiction and never listed, nor one whose schedule was not read yet (only a change).
    public func releases(into places: [JurisdictionPlace], asOf: Date, withinDays: Int = 60, in transaction: any StorageTransaction) throws -> [PoliceReleaseRow] {
        guard !places.isEmpty else { return [] }
        let window = ViewTime.dayWindow(asOf: asOf, days: withinDays)
        let (placeList, placeArguments) = Self.placeholders(places, from: 4)
        let table = releaseLedger.releasesTable
        let rows = try transaction.fetchAll(
            """
            SELECT \(StoredRelease.columns("r")), \(LatestAssessment.columns("la")),
                ac.case_id AS active_case_id, ac.supervision_type AS active_supervision_type,
                ac.supervising_agency_id AS active_agency_id
            FROM \(table) r
                \(assessmentLedger.latestJoin("la", person: "r", asOf: "$1"))
                \(activeCaseJoin("ac", person: "r", asOf: "$1"))
            WHERE \(releaseLedger.upcomingCondition("r", asOf: "$1")) AND r.expected_at >= $2 AND r.expected_at < $3
                AND r.destination_place IN (\(placeList))
            ORDER BY r.expected_at, r.release_id
            """,
            [.integer(ViewTime.milliseconds(asOf)), .integer(window.from), .integer(window.until)] + placeArguments)
        return try rows.map { row in
            let release = try StoredRelease(row, table: table)
            guard let destination = release.state.destination else {
                throw UnreadableViewRow(table: table, column: "destination", reason: "is NULL for a release listed by its destination")
            }
            var activeCase: CaseSummary?
            if let caseId = try row.get("active_case_id", as: String?.self) {
                activeCase = CaseSummary(
                    caseId: caseId,
                    supervisionType: try StoredColumn.code(SupervisionType.self, "active_supervision_type", in: row, table: caseLedger.casesTable),
                    supervisingAgencyId: try row.get("active_agency_id"))
            }
            let state = release.state
            return PoliceReleaseRow(
                releaseId: release.releaseId, person: release.person, status: state.status, facility: try release.facility(table: table),
                expectedAt: try release.expectedAt(table: table), releaseType: state.releaseType, destination: destination,
                supervisionType: state.supervisionType, supervisingAgencyId: state.supervisingAgencyId, activeCase: activeCase,
                latestAssessment: try LatestAssessment(row, table: assessmentLedger.table))
        }
    }

    /// Warrants active at `asOf` (issued by its day, not served, recalled or quashed by then)
    /// of people whose registered address at `asOf` is in `places`, with that address. Sorted
    /// by issue day, then warrant id.
    public func warrants(in places: [JurisdictionPlace], asOf: Date, in transaction: any StorageTransaction) throws -> [PoliceWarrantRow] {
        guard !places.isEmpty else { return [] }
        let (placeList, placeArguments) = Self.placeholders(places, from: 2)
        let table = warrantLedger.recordsTable
        let living = caseLedger.residents(of: table, "w", address: "ca", in: placeList, asOf: "$1")
        let rows = try transaction.fetchAll(
            """
            SELECT w.*, ca.address
            \(living.from)
            WHERE \(living.condition) AND \(warrantLedger.isType(.warrant, "w")) AND \(warrantLedger.activeCondition("w", asOf: "$1"))
            ORDER BY w.issued_at, w.record_id
            """,
            [.integer(ViewTime.milliseconds(asOf))] + placeArguments)
        return try rows.map { row in
            PoliceWarrantRow(
                person: try PersonOnRecord(row, table: table), warrant: try ActiveWarrant(row, table: table),
                registeredAddress: try address(row))
        }
    }

    /// People with a case active at `asOf` (started by its day, not ended by then) whose
    /// registered address at `asOf` is in `places`: one row per active case, with the officer
    /// assigned last and the conditions in force at `asOf` that police need
    /// (``conditionsPoliceNeed``; empty when none). Sorted by person key, then case id.
    public func supervisees(in places: [JurisdictionPlace], asOf: Date, in transaction: any StorageTransaction) throws -> [PoliceSuperviseeRow] {
        guard !places.isEmpty else { return [] }
        let (placeList, placeArguments) = Self.placeholders(places, from: 2)
        let table = caseLedger.casesTable
        let living = caseLedger.residents(of: table, "c", address: "ca", in: placeList, asOf: "$1")
        let rows = try transaction.fetchAll(
            """
            SELECT c.*, ca.address,
                (SELECT o.officer FROM \(caseLedger.officersTable) o WHERE o.case_id = c.case_id
                    ORDER BY o.occurred_at DESC, o.event_id DESC LIMIT 1) AS officer,
                (SELECT k.conditions FROM \(caseLedger.conditionsTable) k WHERE k.case_id = c.case_id AND k.effective_at <= $1
                    ORDER BY k.effective_at DESC, k.occurred_at DESC, k.event_id DESC LIMIT 1) AS conditions
            \(living.from)
            WHERE \(living.condition) AND \(caseLedger.activeCondition("c", asOf: "$1"))
            ORDER BY c.person_key, c.case_id
            """,
            [.integer(ViewTime.milliseconds(asOf))] + placeArguments)
        return try rows.map { row in
            let conditions = try StoredColumn.optionalJSON([SupervisionCondition].self, "conditions", in: row, table: caseLedger.conditionsTable)
            return PoliceSuperviseeRow(
                caseId: try row.get("case_id"), person: try PersonOnRecord(row, table: table),
                supervisionType: try StoredColumn.code(SupervisionType.self, "supervision_type", in: row, table: table),
                supervisingAgencyId: try row.get("supervising_agency_id"), startOn: try StoredColumn.day("start_at", in: row),
                expectedEndOn: try StoredColumn.optionalDay("expected_end_at", in: row),
                officer: try StoredColumn.optionalJSON(Officer.self, "officer", in: row, table: caseLedger.officersTable),
                registeredAddress: try address(row),
                conditions: (conditions ?? []).filter { Self.conditionsPoliceNeed.contains($0.kind) })
        }
    }

    /// Bulletins the police agency `agencyId` may see: of people whose registered address at
    /// `asOf` is in `places` (the agency's jurisdiction), whose consent is in force at `asOf`
    /// (from its grant day through its expiry day, UTC), which were not withdrawn, and whose
    /// consent scope includes this agency (`BulletinConsentScope`, the rule the router delivers
    /// by, read against the agency directory in `transaction`: a scope naming agencies includes
    /// only them, one speaking of police in general any police or sheriff agency, one holding a
    /// negation none). An agency the directory does not know sees none. Sorted by person key,
    /// then bulletin id.
    public func bulletins(
        for agencyId: String, in places: [JurisdictionPlace], asOf: Date, in transaction: any StorageTransaction
    ) throws -> [PoliceBulletinRow] {
        let directory = try DirectoryStore(transaction).all()
        guard let agency = directory.agency(agencyId) else { return [] }
        return try bulletinRows(in: places, asOf: asOf, in: transaction).filter { row in
            BulletinConsentScope.includes(row.consent.scope, agencyId: agency.agencyId, kind: agency.kind, directory: directory)
        }
    }

    /// Bulletins of people whose registered address at `asOf` is in `places`, whose consent is
    /// in force at `asOf` and which were not withdrawn, whoever their scope includes.
    private func bulletinRows(in places: [JurisdictionPlace], asOf: Date, in transaction: any StorageTransaction) throws -> [PoliceBulletinRow] {
        guard !places.isEmpty else { return [] }
        let (placeList, placeArguments) = Self.placeholders(places, from: 2)
        let table = bulletinLedger.bulletinsTable
        let living = caseLedger.residents(of: table, "b", address: "ca", in: placeList, asOf: "$1")
        let rows = try transaction.fetchAll(
            """
            SELECT b.*, ca.address
            \(living.from)
            WHERE \(living.condition) AND \(bulletinLedger.inForceCondition("b", asOf: "$1"))
            ORDER BY b.person_key, b.bulletin_id
            """,
            [.integer(ViewTime.milliseconds(asOf))] + placeArguments)
        return try rows.map { row in
            PoliceBulletinRow(
                bulletinId: try row.get("bulletin_id"), person: try PersonOnRecord(row, table: table), registeredAddress: try address(row),
                consent: BulletinConsent(
                    grantedOn: try StoredColumn.day("granted_at", in: row), expiresOn: try StoredColumn.day("expires_at", in: row),
                    scope: try row.get("scope")),
                baseline: try StoredColumn.json(BulletinBaseline.self, "baseline", in: row, table: table),
                keyContacts: try StoredColumn.json([KeyContact].self, "key_contacts", in: row, table: table))
        }
    }

    // MARK: Parts

    /// `LEFT JOIN <cases> <alias> ON …`: the person's case active at the instant bound to
    /// `asOf` (the one started last, then the highest case id), found by either number of the
    /// row aliased `person` (a case under the FBI number meets a release under the state ID
    /// that also carries it); the alias's columns are NULL when there is none.
    private func activeCaseJoin(_ alias: String, person: String, asOf: String) -> String {
        PersonKey.firstByNumbersJoin(
            table: caseLedger.casesTable, alias: alias, idColumn: "case_id", person: person,
            condition: caseLedger.activeCondition("x", asOf: asOf), order: "x.start_at DESC, x.case_id DESC")
    }

    /// `$first, $first+1, …` for the distinct places, and their keys as arguments.
    static func placeholders(_ places: [JurisdictionPlace], from first: Int) -> (String, [SQLValue]) {
        let keys = Array(Set(places.map(\.key))).sorted()
        let list = keys.indices.map { "$\(first + $0)" }.joined(separator: ", ")
        return (list, keys.map { .text($0) })
    }

    private func address(_ row: StorageRow) throws -> Address {
        try StoredColumn.json(Address.self, "address", in: row, table: caseLedger.addressesTable)
    }
}
