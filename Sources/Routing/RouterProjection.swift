import Contracts
import Foundation
import GRDB
import Notifications
import ServiceKit

/// The router: keeps the supervision cases (reference state from `supervision.cases`) and
/// sends notifications that follow from other agencies' events.
///
/// Rule `supervisee-arrested`: an arrest (from `police.arrests`) goes to the supervising
/// officer of every case of the arrested person — matched on state ID or FBI number — that
/// covers the day of the arrest: the case's start date ≤ the arrest's day (UTC) ≤ its end date,
/// if it has ended. (A case without an officer sends it to the supervising agency.)
///
/// The outcome does not depend on the order in which the two topics are read: arrests are
/// kept, and a case that arrives after an arrest it covers sends the notification then. An
/// arrest *before* a case's start date never notifies — not when it arrives, not when the case
/// arrives later. Ids are derived from the arrest event, rule and officer, so each arrest
/// notifies each officer at most once, whichever event completed the match.
public struct RouterProjection: EventProjection {
    public static let rule = "supervisee-arrested"
    public static let casesTopic = "supervision.cases"
    public static let arrestsTopic = "police.arrests"

    public let name = "router"
    public let topics = [Self.casesTopic, Self.arrestsTopic]

    public init() {}

    public func registerMigrations(_ migrator: inout DatabaseMigrator) {
        NotificationOutbox.registerMigrations(&migrator)
        migrator.registerMigration("router-v1") { db in
            try db.execute(sql: """
                CREATE TABLE router_cases (
                    case_id TEXT PRIMARY KEY NOT NULL,
                    state_id TEXT,
                    fbi_number TEXT,
                    supervision_type TEXT NOT NULL,
                    supervising_agency_id TEXT NOT NULL,
                    officer_id TEXT,
                    officer_name TEXT,
                    start_date TEXT NOT NULL,
                    end_date TEXT,
                    subject BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX router_cases_by_state_id ON router_cases (state_id);
                CREATE INDEX router_cases_by_fbi ON router_cases (fbi_number);
                CREATE TABLE router_arrests (
                    event_id TEXT PRIMARY KEY NOT NULL,
                    state_id TEXT,
                    fbi_number TEXT,
                    arrest_day TEXT NOT NULL,
                    event BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX router_arrests_by_state_id ON router_arrests (state_id);
                CREATE INDEX router_arrests_by_fbi ON router_arrests (fbi_number);
                """)
        }
        // v2: arrests (each with its ~1 KiB event) in a rowid table, the event id in a unique
        // index: appended rather than inserted at a random key (see notifications-v2).
        migrator.registerMigration("router-v2") { db in
            try db.rebuildTable(
                "router_arrests",
                definition: """
                    event_id TEXT NOT NULL UNIQUE,
                    state_id TEXT,
                    fbi_number TEXT,
                    arrest_day TEXT NOT NULL,
                    event BLOB NOT NULL
                    """,
                columns: ["event_id", "state_id", "fbi_number", "arrest_day", "event"], order: "event_id")
            try db.execute(sql: """
                CREATE INDEX router_arrests_by_state_id ON router_arrests (state_id);
                CREATE INDEX router_arrests_by_fbi ON router_arrests (fbi_number);
                """)
        }
    }

    public func handles(eventType: String) -> Bool {
        switch eventType {
        case CaseStarted.eventType, CaseEnded.eventType, OfficerAssigned.eventType, ArrestMade.eventType: true
        default: false
        }
    }

    public func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
        let db = transaction.db
        switch event.eventType {
        case CaseStarted.eventType:
            let started = try event.decode(CaseStarted.self)
            let subject = started.subject
            try db.cachedExecute(
                sql: """
                    INSERT INTO router_cases (case_id, state_id, fbi_number, supervision_type, supervising_agency_id,
                        officer_id, officer_name, start_date, end_date, subject)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)
                    ON CONFLICT (case_id) DO UPDATE SET state_id = excluded.state_id, fbi_number = excluded.fbi_number,
                        supervision_type = excluded.supervision_type, supervising_agency_id = excluded.supervising_agency_id,
                        officer_id = coalesce(excluded.officer_id, router_cases.officer_id),
                        officer_name = coalesce(excluded.officer_name, router_cases.officer_name),
                        start_date = excluded.start_date, subject = excluded.subject
                    """,
                arguments: [started.payload.caseId, subject?.stateId, subject?.fbiNumber, started.payload.supervisionType.rawValue,
                            started.payload.supervisingAgencyId, started.payload.officer?.officerId, started.payload.officer?.name,
                            started.payload.startDate.description, Data(try Self.encode(subject))])
            // Arrests already known that this case covers.
            for arrest in try arrests(matching: subject, db) {
                try notify(arrest, db: db, transaction: transaction)
            }

        case CaseEnded.eventType:
            let ended = try event.decode(CaseEnded.self)
            try db.cachedExecute(sql: "UPDATE router_cases SET end_date = ? WHERE case_id = ?",
                           arguments: [ended.payload.endDate.description, ended.payload.caseId])

        case OfficerAssigned.eventType:
            let assigned = try event.decode(OfficerAssigned.self)
            try db.cachedExecute(sql: "UPDATE router_cases SET officer_id = ?, officer_name = ? WHERE case_id = ?",
                           arguments: [assigned.payload.officer.officerId, assigned.payload.officer.name, assigned.payload.caseId])

        case ArrestMade.eventType:
            let arrest = try event.decode(ArrestMade.self)
            try db.cachedExecute(
                sql: "INSERT OR IGNORE INTO router_arrests (event_id, state_id, fbi_number, arrest_day, event) VALUES (?, ?, ?, ?, ?)",
                arguments: [event.eventId, arrest.subject?.stateId, arrest.subject?.fbiNumber,
                            Describe.day(arrest.payload.arrestedAt).description, Data(event.value)])
            try notify(arrest, db: db, transaction: transaction)

        default:
            return
        }
    }

    /// Sends `arrest` to the officer of every case covering it (each at most once).
    private func notify(_ arrest: EventEnvelope<ArrestMade>, db: Database, transaction: ProjectionTransaction) throws {
        let day = Describe.day(arrest.payload.arrestedAt).description
        for supervision in try cases(matching: arrest.subject, db) where supervision.covers(day) {
            try NotificationOutbox.emit(Self.notification(arrest, supervision), in: transaction)
        }
    }

    struct Case {
        var caseId: String
        var stateId: String?
        var fbiNumber: String?
        var supervisionType: String
        var agencyId: String
        var officerId: String?
        var officerName: String?
        var startDate: String
        var endDate: String?
        var subject: SubjectIdentifiers?

        func covers(_ day: String) -> Bool { startDate <= day && endDate.map { day <= $0 } ?? true }
    }

    private func cases(matching subject: SubjectIdentifiers?, _ db: Database) throws -> [Case] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        return try Row.fetchAll(
            db,
            cached: """
                SELECT * FROM router_cases WHERE (state_id IS NOT NULL AND state_id = ?) OR (fbi_number IS NOT NULL AND fbi_number = ?)
                ORDER BY case_id
                """,
            arguments: [subject.stateId, subject.fbiNumber]
        ).map { row in
            Case(caseId: row["case_id"], stateId: row["state_id"], fbiNumber: row["fbi_number"],
                 supervisionType: row["supervision_type"], agencyId: row["supervising_agency_id"],
                 officerId: row["officer_id"], officerName: row["officer_name"], startDate: row["start_date"],
                 endDate: row["end_date"], subject: try? Self.decodeSubject(row["subject"]))
        }
    }

    private func arrests(matching subject: SubjectIdentifiers?, _ db: Database) throws -> [EventEnvelope<ArrestMade>] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        return try Row.fetchAll(
            db,
            cached: """
                SELECT event FROM router_arrests WHERE (state_id IS NOT NULL AND state_id = ?) OR (fbi_number IS NOT NULL AND fbi_number = ?)
                ORDER BY event_id
                """,
            arguments: [subject.stateId, subject.fbiNumber]
        ).map { row in try EventCodec.decode(ArrestMade.self, from: row["event"] as Data) }
    }

    static func notification(_ arrest: EventEnvelope<ArrestMade>, _ supervision: Case) -> BusNotification {
        var matched: [MatchedIdentifier] = []
        if let stateId = arrest.subject?.stateId, stateId == supervision.stateId { matched.append(MatchedIdentifier("stateId", stateId)) }
        if let fbi = arrest.subject?.fbiNumber, fbi == supervision.fbiNumber { matched.append(MatchedIdentifier("fbiNumber", fbi)) }
        let person = arrest.subject?.name == nil ? supervision.subject : arrest.subject
        let recipient = supervision.officerId.map(Recipient.officer) ?? .agency(supervision.agencyId)
        let payload = arrest.payload
        var facts = [
            NotificationFact("who", Describe.identifiers(person)),
            NotificationFact("what", "arrested: \(Describe.charges(payload.charges))"),
            NotificationFact("when", Describe.instant(payload.arrestedAt)),
            NotificationFact("where", Describe.location(payload.location)),
            NotificationFact("arresting agency", payload.arrestingAgencyId),
            NotificationFact("arrest", payload.arrestId),
            NotificationFact("case", "\(supervision.caseId) (\(supervision.supervisionType), \(supervision.agencyId))"),
        ]
        if let report = payload.reportNumber { facts.append(NotificationFact("report", report)) }
        return BusNotification(
            recipient: recipient, priority: .high,
            summary: "Your supervisee \(Describe.person(person)) was arrested by \(payload.arrestingAgencyId) at \(Describe.location(payload.location)): \(Describe.charges(payload.charges))",
            reason: NotificationReason(
                rule: rule,
                explanation: "You supervise case \(supervision.caseId), which was active on the day of this arrest; matched on \(matched.map(\.name).joined(separator: " and ")).",
                matched: matched),
            facts: facts, occurredAt: payload.arrestedAt, subjectStateId: person?.stateId ?? supervision.stateId,
            sourceEventId: arrest.eventId.uuidString.lowercased(), sourceEventType: ArrestMade.eventType,
            scope: supervision.caseId)
    }

    public func stateChecksum(_ db: Database) throws -> String {
        var hash = SHA256()
        for row in try Row.fetchAll(db, cached: "SELECT * FROM router_cases ORDER BY case_id") { hash.update(row: row) }
        for row in try Row.fetchAll(db, cached: "SELECT event_id, state_id, fbi_number, arrest_day, event FROM router_arrests ORDER BY event_id") {
            hash.update(row: row)
        }
        for row in try Row.fetchAll(db, cached: "SELECT id, body FROM notifications_sent ORDER BY id") { hash.update(row: row) }
        return hash.finalize().hexString
    }

    static func encode(_ subject: SubjectIdentifiers?) throws -> [UInt8] {
        try EventCodec.encodeJSON(subject)
    }

    static func decodeSubject(_ data: Data) throws -> SubjectIdentifiers? {
        try EventCodec.decodeJSON(SubjectIdentifiers?.self, from: data)
    }
}
