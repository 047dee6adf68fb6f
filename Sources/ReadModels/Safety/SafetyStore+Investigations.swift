import Contracts
import Foundation
import Places
import ServiceKit
import Storage

extension SafetyStore {
    /// Keeps an investigation while it is open, and purges it when it closes.
    ///
    /// An opening and its updates are folded field by field: each field (lead agency and
    /// contact, sensitivity, summary, persons of interest, area) holds the value of the newest
    /// event that set it (occurredAt, then event id), so an update read before its opening, or
    /// twice, ends in the same row. A closing deletes the investigation and the people it
    /// names, and keeps only its id: an opening or update of a closed investigation, read later
    /// (a replay, another partition's lag), is ignored, so a closed one never shows again. A
    /// person of interest a sealing order applied here covers (the event occurred before it)
    /// is not kept (``SealedMentions``).
    ///
    /// - Throws: `PoisonMessage` when it does not decode or its area is not a circle on the globe.
    func applyInvestigation(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        switch event.eventType {
        case InvestigationClosed.eventType:
            let closed = try event.decode(InvestigationClosed.self)
            let id = closed.payload.investigationId
            try transaction.send(
                """
                INSERT INTO safety_closed_investigations (investigation_id, closed_at, event_id) VALUES ($1, $2, $3)
                ON CONFLICT (investigation_id) DO NOTHING
                """,
                [.text(id), .integer(ViewTime.milliseconds(closed.occurredAt)), .text(event.eventId)])
            try transaction.send("DELETE FROM safety_investigation_people WHERE investigation_id = $1", [.text(id)])
            try transaction.send("DELETE FROM safety_investigations WHERE investigation_id = $1", [.text(id)])
        case InvestigationOpened.eventType:
            let opened = try event.decode(InvestigationOpened.self)
            let report = opened.payload
            try fold(
                InvestigationReport(
                    opening: (report.leadAgencyId, report.contact), sensitivity: report.sensitivity, summary: report.summary,
                    people: report.personsOfInterest, area: try Self.area(report.area)),
                into: report.investigationId, at: Stamp(at: ViewTime.milliseconds(opened.occurredAt), event: event.eventId), in: transaction)
        case InvestigationUpdated.eventType:
            let updated = try event.decode(InvestigationUpdated.self)
            let report = updated.payload
            try fold(
                InvestigationReport(
                    opening: nil, sensitivity: report.sensitivity, summary: report.summary, people: report.personsOfInterest,
                    area: try Self.area(report.area)),
                into: report.investigationId, at: Stamp(at: ViewTime.milliseconds(updated.occurredAt), event: event.eventId), in: transaction)
        default:
            return
        }
    }

    private func fold(_ report: InvestigationReport, into id: String, at stamp: Stamp, in transaction: any StorageTransaction) throws {
        if try transaction.fetchOne("SELECT 1 AS closed FROM safety_closed_investigations WHERE investigation_id = $1", [.text(id)]) != nil {
            return
        }
        var state = try transaction.fetchOne("SELECT * FROM safety_investigations WHERE investigation_id = $1", [.text(id)])
            .map(InvestigationState.init(row:)) ?? InvestigationState(firstAt: stamp.at)
        state.firstAt = min(state.firstAt, stamp.at)
        if let opening = report.opening, state.opened.map({ $0 < stamp }) ?? true {
            (state.leadAgencyId, state.contact, state.opened) = (opening.leadAgencyId, opening.contact, stamp)
        }
        if let sensitivity = report.sensitivity, state.sensitivityStamp.map({ $0 < stamp }) ?? true {
            (state.sensitivity, state.sensitivityStamp) = (sensitivity, stamp)
        }
        if let summary = report.summary, state.summaryStamp.map({ $0 < stamp }) ?? true {
            (state.summary, state.summaryStamp) = (summary, stamp)
        }
        if let area = report.area, state.areaStamp.map({ $0 < stamp }) ?? true {
            (state.area, state.areaStamp) = (area, stamp)
        }
        let replacesPeople = report.people != nil && (state.peopleStamp.map { $0 < stamp } ?? true)
        if replacesPeople { state.peopleStamp = stamp }
        try state.save(id, in: transaction)
        guard replacesPeople, let named = report.people else { return }
        try transaction.send("DELETE FROM safety_investigation_people WHERE investigation_id = $1", [.text(id)])
        let people = try SealedMentions(transaction, occurredAt: stamp.at).uncovered(named)
        for (position, person) in people.enumerated() {
            try transaction.send(
                """
                INSERT INTO safety_investigation_people (investigation_id, position, \(PersonOnRecord.identifierColumns), name_key, person)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """,
                [.text(id), .integer(Int64(position))] + SafetyPerson.identifierValues(person)
                    + [SafetyPerson.nameKey(person.name).sqlValue, try StoredColumn.json(person)])
        }
    }

    /// An area whose centre is on the globe and whose radius is positive.
    private static func area(_ area: InvestigationArea?) throws(PoisonMessage) -> InvestigationArea? {
        guard let area else { return nil }
        _ = try SafetyPlace.point(area.center, field: "payload.area.center")
        guard area.radiusMeters > 0 else { throw PoisonMessage(reason: "payload.area.radiusMeters must be positive") }
        return area
    }
}

/// Which event set a field last: occurredAt, then event id for events of the same instant.
struct Stamp: Comparable, Sendable {
    var at: Int64
    var event: String

    static func < (a: Stamp, b: Stamp) -> Bool { (a.at, a.event) < (b.at, b.event) }

    init(at: Int64, event: String) {
        self.at = at
        self.event = event
    }

    /// The values of the columns `<field>_at` and `<field>_event`: NULL and NULL for a field never set.
    static func values(_ stamp: Stamp?) -> [SQLValue] {
        guard let stamp else { return [.null, .null] }
        return [.integer(stamp.at), .text(stamp.event)]
    }

    /// The stamp in the columns `<field>_at` and `<field>_event`, nil when the field was never set.
    init?(row: StorageRow, field: String) throws {
        guard let at: Int64 = try row.get("\(field)_at"), let event: String = try row.get("\(field)_event") else { return nil }
        self.init(at: at, event: event)
    }
}

/// What one opening or update says; nil for what it leaves as it was.
private struct InvestigationReport {
    var opening: (leadAgencyId: String, contact: Officer?)?
    var sensitivity: InvestigationSensitivity?
    var summary: String?
    var people: [InvolvedPerson]?
    var area: InvestigationArea?
}

/// A row of `safety_investigations` as Swift values.
private struct InvestigationState {
    var firstAt: Int64
    var leadAgencyId: String?
    var contact: Officer?
    var opened: Stamp?
    var sensitivity: InvestigationSensitivity?
    var sensitivityStamp: Stamp?
    var summary: String?
    var summaryStamp: Stamp?
    var peopleStamp: Stamp?
    var area: InvestigationArea?
    var areaStamp: Stamp?

    init(firstAt: Int64) {
        self.firstAt = firstAt
    }

    init(row: StorageRow) throws {
        let table = SafetyStore.Table.investigations
        firstAt = try row.get("first_at")
        leadAgencyId = try row.get("lead_agency_id")
        contact = try StoredColumn.optionalJSON(Officer.self, "contact", in: row, table: table)
        opened = try Stamp(row: row, field: "opened")
        sensitivity = try StoredColumn.optionalCode(InvestigationSensitivity.self, "sensitivity", in: row, table: table)
        sensitivityStamp = try Stamp(row: row, field: "sensitivity")
        summary = try row.get("summary")
        summaryStamp = try Stamp(row: row, field: "summary")
        peopleStamp = try Stamp(row: row, field: "people")
        area = try Self.area(row)
        areaStamp = try Stamp(row: row, field: "area")
    }

    static func area(_ row: StorageRow) throws -> InvestigationArea? {
        let latitude: Double? = try row.get("center_latitude")
        let longitude: Double? = try row.get("center_longitude")
        let radius: Int? = try row.get("radius_meters")
        guard let latitude, let longitude, let radius else { return nil }
        return InvestigationArea(center: Coordinates(latitude: latitude, longitude: longitude), radiusMeters: radius)
    }

    func save(_ id: String, in transaction: any StorageTransaction) throws {
        let box = try area.map { area in
            GeoBox(
                around: try GeoPoint(latitude: area.center.latitude, longitude: area.center.longitude), radius: Double(area.radiusMeters))
        }
        let columns = """
            investigation_id, first_at, lead_agency_id, contact, opened_at, opened_event, sensitivity, sensitivity_at,
            sensitivity_event, summary, summary_at, summary_event, people_at, people_event, center_latitude, center_longitude,
            radius_meters, min_latitude, max_latitude, min_longitude, max_longitude, area_at, area_event
            """
        let updates = columns.split(separator: ",").dropFirst()
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        // Built in parts with their types given: as one literal of 23 optional values the
        // expression sits at the type checker's limit (a small edit made it give up).
        var values: [SQLValue] = [.text(id), .integer(firstAt), leadAgencyId.sqlValue, try StoredColumn.optionalJSON(contact)]
        values += Stamp.values(opened)
        values += [sensitivity?.rawValue.sqlValue ?? .null] + Stamp.values(sensitivityStamp)
        values += [summary.sqlValue] + Stamp.values(summaryStamp)
        values += Stamp.values(peopleStamp)
        let center: [SQLValue] = area.map { [.real($0.center.latitude), .real($0.center.longitude), .integer(Int64($0.radiusMeters))] }
            ?? [.null, .null, .null]
        let bounds: [SQLValue] = box.map { [.real($0.minLatitude), .real($0.maxLatitude), .real($0.minLongitude), .real($0.maxLongitude)] }
            ?? [.null, .null, .null, .null]
        values += center + bounds + Stamp.values(areaStamp)
        try transaction.send(
            """
            INSERT INTO safety_investigations (\(columns))
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
            ON CONFLICT (investigation_id) DO UPDATE SET \(updates)
            """,
            values)
    }
}
