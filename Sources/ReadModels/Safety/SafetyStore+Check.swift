import Contracts
import Foundation
import Places
import Storage

/// Why a safety check could not be asked: names the argument (`address`, `latitude`,
/// `longitude`, `radiusMeters`) and why, never its value (an address is personal data).
public struct SafetyCheckError: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field) \(reason)" }
}

extension SafetyStore {
    /// The officer-safety check for `address` as of `asOf` (see the type's documentation).
    ///
    /// The address's coordinates are `coordinates`, else those the address carries, else those
    /// of the newest event recorded at the same building that had some; with none, investigation
    /// areas and the radius cannot be checked, and only what is recorded at the address itself or
    /// names its residents is listed (``SafetyCheckResult/coordinatesFrom`` says which).
    /// Coordinates are the contracts' type, so that a caller needs no other module.
    ///
    /// - Throws: ``SafetyCheckError`` naming `address`, `latitude`, `longitude` or
    ///   `radiusMeters` when one cannot be used (a radius must be 1…``maximumRadiusMeters``);
    ///   ``UnreadableViewRow`` or `StorageError` when the tables cannot be read.
    public func check(
        address: VisitAddress, coordinates: Coordinates? = nil, radiusMeters: Int, asOf: Date, in transaction: any StorageTransaction
    ) throws -> SafetyCheckResult {
        var visit = try Self.visit(address: address, coordinates: coordinates, radiusMeters: radiusMeters)
        var source = SafetyCoordinatesSource.unknown
        if visit.point != nil {
            source = .given
        } else if let point = try recordedPoint(of: visit, in: transaction) {
            visit.point = point
            source = .records
        }
        let at = ViewTime.milliseconds(asOf)
        let residents = try self.residents(at: visit, asOf: at, in: transaction)
        let named = NamedLookup(residents)
        return SafetyCheckResult(
            address: visit.addressKey ?? "", coordinates: visit.point.map { Coordinates(latitude: $0.latitude, longitude: $0.longitude) },
            coordinatesFrom: source, radiusMeters: radiusMeters, asOf: asOf, incidentWindowDays: Self.incidentWindowDays,
            residents: residents,
            investigations: try investigations(around: visit, naming: named, asOf: at, in: transaction),
            incidents: try incidents(within: Double(radiusMeters), of: visit, naming: named, asOf: at, in: transaction))
    }

    /// Checks a question before any table is read (``check(address:coordinates:radiusMeters:asOf:in:)``
    /// does too), so that a command can refuse it before opening a database.
    ///
    /// - Throws: ``SafetyCheckError`` naming `address`, `latitude`, `longitude` or `radiusMeters`.
    public static func validate(address: VisitAddress, coordinates: Coordinates?, radiusMeters: Int) throws(SafetyCheckError) {
        _ = try visit(address: address, coordinates: coordinates, radiusMeters: radiusMeters)
    }

    /// The place asked about, with the coordinates given for it.
    private static func visit(address: VisitAddress, coordinates: Coordinates?, radiusMeters: Int) throws(SafetyCheckError) -> SafetyPlace {
        guard (1...maximumRadiusMeters).contains(radiusMeters) else {
            throw SafetyCheckError(field: "radiusMeters", reason: "must be from 1 to \(maximumRadiusMeters) metres")
        }
        do {
            let key = try address.key()
            let point = try (coordinates ?? address.coordinates).map { point throws(PlaceError) in
                try GeoPoint(latitude: point.latitude, longitude: point.longitude)
            }
            return SafetyPlace(key: key, point: point)
        } catch where ["latitude", "longitude"].contains(error.field) {
            throw SafetyCheckError(field: error.field, reason: error.reason)
        } catch {
            throw SafetyCheckError(field: "address", reason: error.field == "address" ? error.reason : "\(error.field) \(error.reason)")
        }
    }

    // MARK: The address

    /// The coordinates of the newest supervision address or incident recorded at the same
    /// building (by key) that had some.
    private func recordedPoint(of visit: SafetyPlace, in transaction: any StorageTransaction) throws -> GeoPoint? {
        guard let building = visit.buildingKey else { return nil }
        let rows = try transaction.fetchAll(
            """
            SELECT \(SafetyPlace.columns), occurred_at, event_id FROM safety_addresses WHERE building_key = $1 AND latitude IS NOT NULL
            UNION ALL
            SELECT \(SafetyPlace.columns), occurred_at, event_id FROM safety_incidents WHERE building_key = $1 AND latitude IS NOT NULL
            ORDER BY occurred_at DESC, event_id DESC
            """,
            [.text(building)])
        for row in rows {
            let place = try SafetyPlace(row: row)
            if place.isSameBuilding(as: visit), let point = place.point { return point }
        }
        return nil
    }

    // MARK: Residents

    /// The supervisees whose registered address at `asOf` is the visited place, while a case
    /// of theirs is active, each followed by the household that address record listed.
    ///
    /// A person's rows are found by either number, as every view joins a person's facts: the
    /// current address is the last in effect among the addresses naming the person's state ID
    /// or FBI number, and the case may have been started under the other number (a transferee
    /// whose state ID was assigned after the case began). The resident's numbers are those of
    /// the address record, completed by the case's.
    private func residents(at visit: SafetyPlace, asOf: Int64, in transaction: any StorageTransaction) throws -> [SafetyResident] {
        var arguments: [SQLValue] = [.integer(asOf), visit.buildingKey.sqlValue]
        var near = ""
        if let point = visit.point {
            let box = GeoBox(around: point, radius: Self.sameAddressMeters)
            near = " OR (a.latitude BETWEEN $3 AND $4 AND a.longitude BETWEEN $5 AND $6)"
            arguments += [.real(box.minLatitude), .real(box.maxLatitude), .real(box.minLongitude), .real(box.maxLongitude)]
        }
        let place = SafetyPlace.columns.split(separator: ", ").map { "a.\($0)" }.joined(separator: ", ")
        let currentAddress = PersonKey.firstByNumbersJoin(
            "", table: Table.addresses, alias: "current", idColumn: "event_id", person: "a", condition: "x.effective_at <= $1",
            order: "x.effective_at DESC, x.occurred_at DESC, x.event_id DESC")
        let activeCase = PersonKey.firstByNumbersJoin(
            "", table: Table.cases, alias: "c", idColumn: "case_id", person: "a",
            condition: "x.start_at <= $1 AND NOT EXISTS (SELECT 1 FROM \(Table.caseEnds) e WHERE e.case_id = x.case_id AND \(CaseLedger.endedBy("e.end_at", "$1")))",
            order: "x.start_at DESC, x.case_id")
        let rows = try transaction.fetchAll(
            """
            SELECT a.event_id, a.case_id, a.person_key, a.subject, \(place),
                c.state_id AS case_state_id, c.fbi_number AS case_fbi_number
            FROM \(Table.addresses) a
            \(currentAddress)
            \(activeCase)
            WHERE a.effective_at <= $1 AND current.event_id = a.event_id AND (a.building_key = $2\(near))
            ORDER BY a.person_key
            """,
            arguments)
        var residents: [SafetyResident] = []
        for row in rows {
            let place = try SafetyPlace(row: row)
            guard place.isSamePlace(as: visit) else { continue }
            let personKey: String = try row.get("person_key")
            let caseId: String = try row.get("case_id")
            let subject = try StoredColumn.optionalJSON(SubjectIdentifiers.self, "subject", in: row, table: Table.addresses)
            let stateId = try PersonKey.nonEmpty(subject?.stateId) ?? row.get("case_state_id", as: String?.self)
            let fbiNumber = try PersonKey.nonEmpty(subject?.fbiNumber) ?? row.get("case_fbi_number", as: String?.self)
            residents.append(
                SafetyResident(
                    kind: .supervisee, name: subject?.name, stateId: stateId, fbiNumber: fbiNumber, dateOfBirth: subject?.dateOfBirth,
                    personKey: personKey, relationship: nil, caseId: caseId, registeredAddress: place.addressKey))
            let household = try transaction.fetchAll(
                "SELECT name, relationship FROM safety_household WHERE event_id = $1 ORDER BY position", [.text(try row.get("event_id"))])
            for member in household {
                residents.append(
                    SafetyResident(
                        kind: .householdMember,
                        name: try StoredColumn.json(PersonName.self, "name", in: member, table: Table.household),
                        stateId: nil, fbiNumber: nil, dateOfBirth: nil, personKey: personKey, relationship: try member.get("relationship"), caseId: caseId,
                        registeredAddress: place.addressKey))
            }
        }
        return residents
    }

    // MARK: Investigations

    private func investigations(
        around visit: SafetyPlace, naming named: NamedLookup, asOf: Int64, in transaction: any StorageTransaction
    ) throws -> [SafetyInvestigation] {
        var rows: [String: StorageRow] = [:]
        if let point = visit.point {
            for row in try transaction.fetchAll(
                """
                SELECT * FROM safety_investigations
                WHERE first_at <= $1 AND min_latitude <= $2 AND max_latitude >= $2 AND min_longitude <= $3 AND max_longitude >= $3
                """,
                [.integer(asOf), .real(point.latitude), .real(point.longitude)])
            {
                rows[try row.get("investigation_id")] = row
            }
        }
        let naming = try named.recordIds(column: "investigation_id", in: Table.investigationPeople, transaction)
        for id in naming where rows[id] == nil {
            if let row = try transaction.fetchOne(
                "SELECT * FROM safety_investigations WHERE investigation_id = $1 AND first_at <= $2", [.text(id), .integer(asOf)])
            {
                rows[id] = row
            }
        }
        var found: [SafetyInvestigation] = []
        for id in rows.keys.sorted() {
            guard let row = rows[id], let investigation = try investigation(row, at: visit, naming: named, in: transaction) else { continue }
            found.append(investigation)
        }
        return found
    }

    private func investigation(
        _ row: StorageRow, at visit: SafetyPlace, naming named: NamedLookup, in transaction: any StorageTransaction
    ) throws -> SafetyInvestigation? {
        let id: String = try row.get("investigation_id")
        let table = Table.investigations
        var reasons: [SafetyMatchReason] = []
        var distance: Double?
        let latitude: Double? = try row.get("center_latitude")
        let longitude: Double? = try row.get("center_longitude")
        let radius: Int? = try row.get("radius_meters")
        var area: InvestigationArea?
        if let latitude, let longitude, let radius {
            area = InvestigationArea(center: Coordinates(latitude: latitude, longitude: longitude), radiusMeters: radius)
            if let point = visit.point {
                let metres = GeoDistance.metres(from: try GeoPoint(latitude: latitude, longitude: longitude), to: point)
                distance = metres
                if metres <= Double(radius) { reasons.append(.withinArea) }
            }
        }
        let people = try transaction.fetchAll(
            "SELECT person FROM safety_investigation_people WHERE investigation_id = $1 ORDER BY position", [.text(id)])
        let mentions = try named.mentions(in: people.map { ($0, SafetyMention.Role.personOfInterest) }, table: Table.investigationPeople)
        let sensitivity = try StoredColumn.optionalCode(InvestigationSensitivity.self, "sensitivity", in: row, table: table)
        let withheld = sensitivity != .routine
        // That a resident is a person of interest is itself the intelligence a restricted or
        // confidential investigation keeps to its own members: such an investigation shows only
        // for its area (deconfliction: who leads it, whom to call), never for naming someone,
        // and one found only by a name is not shown at all.
        if !mentions.isEmpty && !withheld { reasons.append(.namesResident) }
        guard !reasons.isEmpty else { return nil }
        return SafetyInvestigation(
            investigationId: id, leadAgencyId: try row.get("lead_agency_id"), sensitivity: sensitivity,
            summary: withheld ? nil : try row.get("summary"),
            contact: try StoredColumn.optionalJSON(Officer.self, "contact", in: row, table: table),
            area: area, distanceMeters: distance, reasons: reasons, namedResidents: withheld ? [] : mentions, detailsWithheld: withheld)
    }

    // MARK: Incidents

    private func incidents(
        within radius: Double, of visit: SafetyPlace, naming named: NamedLookup, asOf: Int64, in transaction: any StorageTransaction
    ) throws -> [SafetyIncident] {
        let from = asOf - Int64(Self.incidentWindowDays) * ViewTime.dayMilliseconds
        let window: [SQLValue] = [.integer(from), .integer(asOf)]
        var rows: [String: StorageRow] = [:]
        func collect(_ condition: String, _ arguments: [SQLValue]) throws {
            for row in try transaction.fetchAll(
                "SELECT * FROM safety_incidents WHERE incident_at > $1 AND incident_at <= $2 AND \(condition)", window + arguments)
            {
                rows[try row.get("incident_id")] = row
            }
        }
        if let point = visit.point {
            let box = GeoBox(around: point, radius: radius)
            try collect(
                "latitude BETWEEN $3 AND $4 AND longitude BETWEEN $5 AND $6",
                [.real(box.minLatitude), .real(box.maxLatitude), .real(box.minLongitude), .real(box.maxLongitude)])
        }
        if let building = visit.buildingKey {
            try collect("building_key = $3", [.text(building)])
        }
        for id in try named.recordIds(column: "incident_id", in: Table.incidentPeople, transaction) where rows[id] == nil {
            try collect("incident_id = $3", [.text(id)])
        }
        var found: [SafetyIncident] = []
        for row in rows.values {
            if let incident = try incident(row, within: radius, of: visit, naming: named, in: transaction) { found.append(incident) }
        }
        return found.sorted { ($0.incidentAt, $1.incidentId) > ($1.incidentAt, $0.incidentId) }
    }

    private func incident(
        _ row: StorageRow, within radius: Double, of visit: SafetyPlace, naming named: NamedLookup, in transaction: any StorageTransaction
    ) throws -> SafetyIncident? {
        let id: String = try row.get("incident_id")
        let table = Table.incidents
        let place = try SafetyPlace(row: row)
        var reasons: [SafetyMatchReason] = []
        var distance: Double?
        if let point = visit.point, let incidentPoint = place.point {
            let metres = GeoDistance.metres(from: point, to: incidentPoint)
            distance = metres
            if metres <= radius { reasons.append(.withinRadius) }
        }
        if place.isSameBuilding(as: visit) { reasons.append(.atAddress) }
        let people = try transaction.fetchAll("SELECT role, person FROM safety_incident_people WHERE incident_id = $1 ORDER BY position", [.text(id)])
        let mentions = try named.mentions(
            in: try people.map { ($0, try StoredColumn.code(SafetyMention.Role.self, "role", in: $0, table: Table.incidentPeople)) },
            table: Table.incidentPeople)
        if !mentions.isEmpty { reasons.append(.namesResident) }
        guard !reasons.isEmpty else { return nil }
        return SafetyIncident(
            incidentId: id, incidentKind: try StoredColumn.code(ViolentIncidentKind.self, "incident_kind", in: row, table: table),
            incidentAt: ViewTime.date(try row.get("incident_at")),
            reportNumber: try row.get("report_number"),
            address: try StoredColumn.optionalJSON(Address.self, "address", in: row, table: table),
            distanceMeters: distance, reasons: reasons, namedResidents: mentions)
    }
}

/// The residents of a check, as the people tables of incidents and investigations can be
/// searched for them: by state ID, by FBI number (`state_id`, `fbi_number`) and by name key.
private struct NamedLookup {
    let residents: [SafetyResident]
    /// Each column searched and the residents' values for it, sorted and without repeats.
    let searched: [(column: String, values: [String])]

    init(_ residents: [SafetyResident]) {
        self.residents = residents
        func values(_ value: (SafetyResident) -> String?) -> [String] { Array(Set(residents.compactMap(value))).sorted() }
        searched = [
            ("state_id", values { PersonKey.nonEmpty($0.stateId) }),
            ("fbi_number", values { PersonKey.nonEmpty($0.fbiNumber) }),
            ("name_key", values { SafetyPerson.nameKey($0.name) }),
        ].filter { !$0.values.isEmpty }
    }

    /// The ids (`column`) of the records whose people in `table` may be residents: the same
    /// state ID, FBI number or name key (``mentions(in:table:)`` decides).
    func recordIds(column: String, in table: String, _ transaction: any StorageTransaction) throws -> [String] {
        guard !searched.isEmpty else { return [] }
        var bindings = SQLBindings()
        let conditions = searched.map { "\($0.column) IN (\(bindings.list($0.values)))" }
        return try transaction.fetchAll(
            "SELECT DISTINCT \(column) AS id FROM \(table) WHERE \(conditions.joined(separator: " OR ")) ORDER BY id", bindings.values)
            .map { try $0.get("id") }
    }

    /// The residents each stored person (a row's `person`, JSON of an `InvolvedPerson`, with
    /// their role) is.
    func mentions(in people: [(StorageRow, SafetyMention.Role)], table: String) throws -> [SafetyMention] {
        var mentions: [SafetyMention] = []
        for (row, role) in people {
            let person = try StoredColumn.json(InvolvedPerson.self, "person", in: row, table: table)
            for resident in residents {
                if let basis = SafetyPerson.isNamed(person, as: resident) {
                    mentions.append(SafetyMention(resident: resident, role: role, matchedOn: basis))
                }
            }
        }
        return mentions
    }
}
