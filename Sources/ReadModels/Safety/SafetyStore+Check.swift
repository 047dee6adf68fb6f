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
    private func residents(at visit: SafetyPlace, asOf: Int64, in transaction: any StorageTransaction) throws -> [SafetyResident] {
        var arguments: [SQLValue] = [.integer(asOf), visit.buildingKey.sqlValue]
        var near = ""
        if let point = visit.point {
            let box = GeoBox(around: point, radius: Self.sameAddressMeters)
            near = " OR (latitude BETWEEN $3 AND $4 AND longitude BETWEEN $5 AND $6)"
            arguments += [.real(box.minLatitude), .real(box.maxLatitude), .real(box.minLongitude), .real(box.maxLongitude)]
        }
        let rows = try transaction.fetchAll(
            """
            WITH current_address AS (
                SELECT * FROM (
                    SELECT a.event_id, a.case_id, a.person_key, a.subject, a.address_key, a.building_key, a.units, a.zip,
                        a.latitude, a.longitude,
                        ROW_NUMBER() OVER (
                            PARTITION BY a.person_key ORDER BY a.effective_at DESC, a.occurred_at DESC, a.event_id DESC) AS rank
                    FROM safety_addresses a
                    WHERE a.effective_at <= $1
                        AND a.person_key IN (SELECT person_key FROM safety_addresses WHERE building_key = $2\(near))) ranked
                WHERE rank = 1)
            SELECT * FROM current_address ca
            WHERE EXISTS (
                SELECT 1 FROM safety_cases c WHERE c.person_key = ca.person_key AND c.start_at <= $1
                    AND NOT EXISTS (SELECT 1 FROM safety_case_ends e WHERE e.case_id = c.case_id AND e.end_at <= $1))
            ORDER BY ca.person_key
            """,
            arguments)
        var residents: [SafetyResident] = []
        for row in rows {
            let place = try SafetyPlace(row: row)
            guard place.isSamePlace(as: visit) else { continue }
            let personKey: String = try row.get("person_key")
            let caseId: String = try row.get("case_id")
            let subject = try StoredColumn.optionalJSON(SubjectIdentifiers.self, "subject", in: row, table: Table.addresses)
            residents.append(
                SafetyResident(
                    kind: .supervisee, name: subject?.name, stateId: subject?.stateId, dateOfBirth: subject?.dateOfBirth,
                    personKey: personKey, relationship: nil, caseId: caseId, registeredAddress: place.addressKey))
            let household = try transaction.fetchAll(
                "SELECT name, relationship FROM safety_household WHERE event_id = $1 ORDER BY position", [.text(try row.get("event_id"))])
            for member in household {
                residents.append(
                    SafetyResident(
                        kind: .householdMember,
                        name: try StoredColumn.json(PersonName.self, "name", in: member, table: Table.household),
                        stateId: nil, dateOfBirth: nil, personKey: personKey, relationship: try member.get("relationship"), caseId: caseId,
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
        if !mentions.isEmpty { reasons.append(.namesResident) }
        guard !reasons.isEmpty else { return nil }
        let sensitivity = try StoredColumn.optionalCode(InvestigationSensitivity.self, "sensitivity", in: row, table: table)
        let withheld = sensitivity != .routine
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
/// searched for them: by `person_key` (state ID) and by name key.
private struct NamedLookup {
    let residents: [SafetyResident]
    let personKeys: [String]
    let nameKeys: [String]

    init(_ residents: [SafetyResident]) {
        self.residents = residents
        personKeys = Array(Set(residents.compactMap { PersonKey(stateId: $0.stateId, fbiNumber: nil)?.value })).sorted()
        nameKeys = Array(Set(residents.compactMap { SafetyPerson.nameKey($0.name) })).sorted()
    }

    /// The ids (`column`) of the records whose people in `table` may be residents: the same
    /// state ID or the same name key (``mentions(in:table:)`` decides).
    func recordIds(column: String, in table: String, _ transaction: any StorageTransaction) throws -> [String] {
        guard !personKeys.isEmpty || !nameKeys.isEmpty else { return [] }
        let arguments = (personKeys + nameKeys).map(SQLValue.text)
        func list(_ keys: [String], from first: Int) -> String {
            keys.indices.map { "$\(first + $0)" }.joined(separator: ", ")
        }
        var conditions: [String] = []
        if !personKeys.isEmpty { conditions.append("person_key IN (\(list(personKeys, from: 1)))") }
        if !nameKeys.isEmpty { conditions.append("name_key IN (\(list(nameKeys, from: personKeys.count + 1)))") }
        return try transaction.fetchAll(
            "SELECT DISTINCT \(column) AS id FROM \(table) WHERE \(conditions.joined(separator: " OR ")) ORDER BY id", arguments)
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
