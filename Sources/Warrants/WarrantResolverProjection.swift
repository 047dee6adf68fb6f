import Contracts
import Foundation
import GRDB
import Notifications
import ServiceKit

/// The warrant resolver: keeps every person's warrants (reference state from
/// `courts.warrants`) and opens a warrant check for each release (`custody.releases`).
///
/// - Release scheduled: the check lists the person's active warrants (matched on state ID or
///   FBI number). With any, it is `pending`: each issuing agency is asked to resolve its
///   warrants before the release (`warrant-check-pending`) and the police department of the
///   destination city is told a high-risk person is releasing into its jurisdiction with a
///   warrant pending (`release-warrant-pending`). Without any it is `clear` and nobody is
///   bothered.
/// - A warrant issued while a check of that person is open joins it (→ `pending`, same two
///   notifications): the outcome does not depend on which topic was read first.
/// - Warrant recalled, quashed or served: when a check has no active warrant left it becomes
///   `clear`, and the releasing facility and the police department are told
///   (`warrant-check-clear`). A warrant recalled before the release was scheduled is simply not
///   active when the check opens: clear, no notification.
/// - Released (`custody.release.completed`) with no prior schedule while a warrant is active:
///   an **urgent** alert to the destination's police department and each issuing agency
///   (`unscheduled-release-active-warrant`).
/// Checks are `hold` only once detainers are handled (a later issue).
public struct WarrantResolverProjection: EventProjection {
    public static let warrantsTopic = "courts.warrants"
    public static let releasesTopic = "custody.releases"

    public enum Rule {
        public static let pending = "warrant-check-pending"
        public static let policePending = "release-warrant-pending"
        public static let clear = "warrant-check-clear"
        public static let unscheduled = "unscheduled-release-active-warrant"
    }

    public let name = "warrant-resolver"
    public let topics = [Self.warrantsTopic, Self.releasesTopic]
    public let jurisdictions: Jurisdictions

    public init(jurisdictions: Jurisdictions = Jurisdictions()) {
        self.jurisdictions = jurisdictions
    }

    public func registerMigrations(_ migrator: inout DatabaseMigrator) {
        NotificationOutbox.registerMigrations(&migrator)
        migrator.registerMigration("warrants-v1") { db in
            try db.execute(sql: """
                CREATE TABLE warrants (
                    warrant_id TEXT PRIMARY KEY NOT NULL,
                    state_id TEXT,
                    fbi_number TEXT,
                    warrant_kind TEXT,
                    issuing_agency_id TEXT,
                    issued_on TEXT,
                    status TEXT NOT NULL CHECK (status IN ('active', 'recalled', 'quashed', 'served')),
                    subject BLOB
                ) WITHOUT ROWID;
                CREATE INDEX warrants_by_state_id ON warrants (state_id);
                CREATE INDEX warrants_by_fbi ON warrants (fbi_number);
                CREATE TABLE warrant_checks (
                    release_id TEXT PRIMARY KEY NOT NULL,
                    state_id TEXT,
                    fbi_number TEXT,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'clear', 'hold')),
                    scheduled INTEGER NOT NULL,
                    closed INTEGER NOT NULL DEFAULT 0,
                    facility_id TEXT NOT NULL,
                    facility_name TEXT NOT NULL,
                    release_at TEXT NOT NULL,
                    release_type TEXT NOT NULL,
                    destination BLOB,
                    subject BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX warrant_checks_by_state_id ON warrant_checks (state_id);
                CREATE INDEX warrant_checks_by_fbi ON warrant_checks (fbi_number);
                CREATE TABLE warrant_check_items (
                    release_id TEXT NOT NULL REFERENCES warrant_checks (release_id),
                    warrant_id TEXT NOT NULL,
                    PRIMARY KEY (release_id, warrant_id)
                ) WITHOUT ROWID;
                """)
        }
        // v2: warrants and checks (rows of 300-500 bytes, keyed by partners' ids) in rowid tables
        // with the id in a unique index, appended rather than inserted into random leaves (see
        // NotificationOutbox's notifications-v2). Check items stay: their rows are small.
        migrator.registerMigration("warrants-v2") { db in
            try db.rebuildTable(
                "warrants",
                definition: """
                    warrant_id TEXT NOT NULL UNIQUE,
                    state_id TEXT,
                    fbi_number TEXT,
                    warrant_kind TEXT,
                    issuing_agency_id TEXT,
                    issued_on TEXT,
                    status TEXT NOT NULL CHECK (status IN ('active', 'recalled', 'quashed', 'served')),
                    subject BLOB
                    """,
                columns: ["warrant_id", "state_id", "fbi_number", "warrant_kind", "issuing_agency_id", "issued_on", "status", "subject"],
                order: "warrant_id")
            try db.rebuildTable(
                "warrant_checks",
                definition: """
                    release_id TEXT NOT NULL UNIQUE,
                    state_id TEXT,
                    fbi_number TEXT,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'clear', 'hold')),
                    scheduled INTEGER NOT NULL,
                    closed INTEGER NOT NULL DEFAULT 0,
                    facility_id TEXT NOT NULL,
                    facility_name TEXT NOT NULL,
                    release_at TEXT NOT NULL,
                    release_type TEXT NOT NULL,
                    destination BLOB,
                    subject BLOB NOT NULL
                    """,
                columns: ["release_id", "state_id", "fbi_number", "status", "scheduled", "closed", "facility_id", "facility_name",
                          "release_at", "release_type", "destination", "subject"],
                order: "release_id")
            try db.execute(sql: """
                CREATE INDEX warrants_by_state_id ON warrants (state_id);
                CREATE INDEX warrants_by_fbi ON warrants (fbi_number);
                CREATE INDEX warrant_checks_by_state_id ON warrant_checks (state_id);
                CREATE INDEX warrant_checks_by_fbi ON warrant_checks (fbi_number);
                """)
        }
    }

    public func handles(eventType: String) -> Bool {
        switch eventType {
        case WarrantIssued.eventType, WarrantRecalled.eventType, WarrantQuashed.eventType, WarrantServed.eventType,
             ReleaseScheduled.eventType, ReleaseCompleted.eventType, ReleaseCancelled.eventType: true
        default: false
        }
    }

    public func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
        switch event.eventType {
        case WarrantIssued.eventType: try warrantIssued(try event.decode(WarrantIssued.self), transaction)
        case WarrantRecalled.eventType:
            let recalled = try event.decode(WarrantRecalled.self)
            try warrantResolved(recalled.payload.warrantId, status: "recalled", envelope: recalled.eventId, occurredAt: recalled.occurredAt,
                                subject: recalled.subject, eventType: recalled.eventType, transaction)
        case WarrantQuashed.eventType:
            let quashed = try event.decode(WarrantQuashed.self)
            try warrantResolved(quashed.payload.warrantId, status: "quashed", envelope: quashed.eventId, occurredAt: quashed.occurredAt,
                                subject: quashed.subject, eventType: quashed.eventType, transaction)
        case WarrantServed.eventType:
            let served = try event.decode(WarrantServed.self)
            try warrantResolved(served.payload.warrantId, status: "served", envelope: served.eventId, occurredAt: served.occurredAt,
                                subject: served.subject, eventType: served.eventType, transaction)
        case ReleaseScheduled.eventType: try releaseScheduled(try event.decode(ReleaseScheduled.self), transaction)
        case ReleaseCompleted.eventType: try releaseCompleted(try event.decode(ReleaseCompleted.self), transaction)
        case ReleaseCancelled.eventType:
            let cancelled = try event.decode(ReleaseCancelled.self)
            try transaction.db.cachedExecute(sql: "UPDATE warrant_checks SET closed = 1 WHERE release_id = ?", arguments: [cancelled.payload.releaseId])
        default: return
        }
    }

    // MARK: Warrants

    private func warrantIssued(_ issued: EventEnvelope<WarrantIssued>, _ transaction: ProjectionTransaction) throws {
        let db = transaction.db
        let warrant = issued.payload
        let before = try String.fetchOne(db, cached: "SELECT status FROM warrants WHERE warrant_id = ?", arguments: [warrant.warrantId])
        // A resolution read before the issue (it cannot happen within one person's partition,
        // but a partner may publish late) keeps the warrant resolved.
        try db.cachedExecute(
            sql: """
                INSERT INTO warrants (warrant_id, state_id, fbi_number, warrant_kind, issuing_agency_id, issued_on, status, subject)
                VALUES (?, ?, ?, ?, ?, ?, 'active', ?)
                ON CONFLICT (warrant_id) DO UPDATE SET state_id = excluded.state_id, fbi_number = excluded.fbi_number,
                    warrant_kind = excluded.warrant_kind, issuing_agency_id = excluded.issuing_agency_id,
                    issued_on = excluded.issued_on, subject = excluded.subject
                """,
            arguments: [warrant.warrantId, issued.subject?.stateId, issued.subject?.fbiNumber, warrant.warrantKind.rawValue,
                        warrant.issuingAgencyId, warrant.issuedOn.description, Data(try Self.encode(issued.subject))])
        guard before == nil else { return }
        for check in try checks(of: issued.subject, openOnly: true, db) {
            try db.cachedExecute(sql: "INSERT OR IGNORE INTO warrant_check_items (release_id, warrant_id) VALUES (?, ?)",
                           arguments: [check.releaseId, warrant.warrantId])
            try db.cachedExecute(sql: "UPDATE warrant_checks SET status = 'pending' WHERE release_id = ?", arguments: [check.releaseId])
            let listed = try activeWarrants(on: check.releaseId, db).filter { $0.warrantId == warrant.warrantId }
            try notifyPending(check, warrants: listed, sourceEventId: issued.eventId, eventType: issued.eventType,
                              occurredAt: issued.occurredAt, transaction)
        }
    }

    private func warrantResolved(
        _ warrantId: String, status: String, envelope eventId: UUID, occurredAt: Date, subject: SubjectIdentifiers?,
        eventType: String, _ transaction: ProjectionTransaction
    ) throws {
        let db = transaction.db
        let before = try String.fetchOne(db, cached: "SELECT status FROM warrants WHERE warrant_id = ?", arguments: [warrantId])
        if before == nil {
            try db.cachedExecute(sql: "INSERT INTO warrants (warrant_id, state_id, fbi_number, status, subject) VALUES (?, ?, ?, ?, ?)",
                           arguments: [warrantId, subject?.stateId, subject?.fbiNumber, status, Data(try Self.encode(subject))])
            return
        }
        guard before == "active" else { return }
        try db.cachedExecute(sql: "UPDATE warrants SET status = ? WHERE warrant_id = ?", arguments: [status, warrantId])
        let releaseIds = try String.fetchAll(
            db, cached: """
                SELECT c.release_id FROM warrant_checks c JOIN warrant_check_items i ON i.release_id = c.release_id
                WHERE i.warrant_id = ? AND c.closed = 0 AND c.status = 'pending' ORDER BY c.release_id
                """, arguments: [warrantId])
        for releaseId in releaseIds where try activeWarrants(on: releaseId, db).isEmpty {
            try db.cachedExecute(sql: "UPDATE warrant_checks SET status = 'clear' WHERE release_id = ?", arguments: [releaseId])
            guard let check = try check(releaseId, db) else { continue }
            let source = eventId.uuidString.lowercased()
            var recipients = [Recipient.facility(check.facilityId)]
            if let destination = check.destination { recipients.append(jurisdictions.police(for: destination)) }
            for recipient in recipients {
                try NotificationOutbox.emit(BusNotification(
                    recipient: recipient, priority: .routine,
                    summary: "Warrant check clear for the release of \(Describe.person(check.subject)) from \(check.facilityName) on \(check.releaseDay): warrant \(warrantId) \(status)",
                    reason: NotificationReason(
                        rule: Rule.clear,
                        explanation: recipient.kind == .facility
                            ? "Your facility is releasing this person; the last active warrant on the check was \(status)."
                            : "You were told of a pending warrant for this release into your jurisdiction; it was \(status).",
                        matched: [MatchedIdentifier("releaseId", check.releaseId), MatchedIdentifier("warrantId", warrantId)]),
                    facts: [
                        NotificationFact("who", Describe.identifiers(check.subject)),
                        NotificationFact("what", "warrant \(warrantId) \(status); warrant check clear"),
                        NotificationFact("release", "\(check.releaseId) from \(check.facilityName) on \(check.releaseAt)"),
                        NotificationFact("destination", Describe.address(check.destination) ?? "not given"),
                    ],
                    occurredAt: occurredAt, subjectStateId: check.stateId, sourceEventId: source, sourceEventType: eventType,
                    scope: check.releaseId), in: transaction)
            }
        }
    }

    // MARK: Releases

    private func releaseScheduled(_ scheduled: EventEnvelope<ReleaseScheduled>, _ transaction: ProjectionTransaction) throws {
        let db = transaction.db
        let release = scheduled.payload
        guard try check(release.releaseId, db) == nil else { return }  // a re-sent schedule changes nothing here
        let warrants = try activeWarrants(of: scheduled.subject, db)
        let check = Check(
            releaseId: release.releaseId, stateId: scheduled.subject?.stateId, fbiNumber: scheduled.subject?.fbiNumber,
            status: warrants.isEmpty ? "clear" : "pending", scheduled: true, closed: false,
            facilityId: release.facility.facilityId, facilityName: release.facility.name,
            releaseAt: Describe.instant(release.expectedAt), releaseType: release.releaseType.rawValue,
            destination: release.destination, subject: scheduled.subject)
        try insert(check, warrants: warrants, db)
        guard !warrants.isEmpty else { return }
        try notifyPending(check, warrants: warrants, sourceEventId: scheduled.eventId, eventType: scheduled.eventType,
                          occurredAt: scheduled.occurredAt, transaction)
    }

    private func releaseCompleted(_ completed: EventEnvelope<ReleaseCompleted>, _ transaction: ProjectionTransaction) throws {
        let db = transaction.db
        let release = completed.payload
        if try check(release.releaseId, db) != nil {
            try db.cachedExecute(sql: "UPDATE warrant_checks SET closed = 1 WHERE release_id = ?", arguments: [release.releaseId])
            return
        }
        let warrants = try activeWarrants(of: completed.subject, db)
        let check = Check(
            releaseId: release.releaseId, stateId: completed.subject?.stateId, fbiNumber: completed.subject?.fbiNumber,
            status: warrants.isEmpty ? "clear" : "pending", scheduled: false, closed: true,
            facilityId: release.facility.facilityId, facilityName: release.facility.name,
            releaseAt: Describe.instant(release.releasedAt), releaseType: release.releaseType.rawValue,
            destination: release.destination, subject: completed.subject)
        try insert(check, warrants: warrants, db)
        guard !warrants.isEmpty else { return }
        var recipients: [Recipient] = []
        if let destination = release.destination { recipients.append(jurisdictions.police(for: destination)) }
        recipients += Set(warrants.map { Recipient.agency($0.issuingAgencyId) }).sorted()
        let list = warrants.map(\.label).joined(separator: "; ")
        for recipient in recipients {
            let isPolice = recipient == release.destination.map(jurisdictions.police(for:))
            let own = warrants.filter { recipient == .agency($0.issuingAgencyId) }
            try NotificationOutbox.emit(BusNotification(
                recipient: recipient, priority: .urgent,
                summary: "URGENT: \(Describe.person(completed.subject)) was released from \(release.facility.name) without prior notice (\(release.releaseType.rawValue)) with an active warrant: \(list)",
                reason: NotificationReason(
                    rule: Rule.unscheduled,
                    explanation: isPolice
                        ? "A person with an active warrant was released into your jurisdiction with no scheduled release."
                        : "Your warrant is active and the person was released with no scheduled release.",
                    matched: Self.matched(completed.subject, warrants: isPolice ? warrants : own, city: isPolice ? release.destination : nil)),
                facts: [
                    NotificationFact("who", Describe.identifiers(completed.subject)),
                    NotificationFact("what", "released (\(release.releaseType.rawValue)) with active warrant(s): \(list)"),
                    NotificationFact("when", Describe.instant(release.releasedAt)),
                    NotificationFact("from", "\(release.facility.name) (\(release.facility.facilityId))"),
                    NotificationFact("destination", Describe.address(release.destination) ?? "not given"),
                ],
                occurredAt: release.releasedAt, subjectStateId: completed.subject?.stateId,
                sourceEventId: completed.eventId.uuidString.lowercased(), sourceEventType: completed.eventType,
                scope: release.releaseId), in: transaction)
        }
    }

    /// Asks each issuing agency to resolve `warrants` and tells the destination's police.
    private func notifyPending(
        _ check: Check, warrants: [Warrant], sourceEventId: UUID, eventType: String, occurredAt: Date,
        _ transaction: ProjectionTransaction
    ) throws {
        let source = sourceEventId.uuidString.lowercased()
        let release = "\(check.facilityName) on \(check.releaseDay)"
        for agency in Set(warrants.map(\.issuingAgencyId)).sorted() {
            let own = warrants.filter { $0.issuingAgencyId == agency }
            try NotificationOutbox.emit(BusNotification(
                recipient: .agency(agency), priority: .high,
                summary: "Resolve before release: warrant \(own.map(\.label).joined(separator: "; ")) for \(Describe.person(check.subject)), releasing from \(release)",
                reason: NotificationReason(
                    rule: Rule.pending,
                    explanation: "You issued this active warrant and the person is scheduled for release; resolve it before the release date.",
                    matched: Self.matched(check.subject, warrants: own, city: nil)),
                facts: [
                    NotificationFact("who", Describe.identifiers(check.subject)),
                    NotificationFact("what", "warrant check pending: \(own.map(\.label).joined(separator: "; "))"),
                    NotificationFact("release", "\(check.releaseId) from \(check.facilityName) at \(check.releaseAt) (\(check.releaseType))"),
                    NotificationFact("destination", Describe.address(check.destination) ?? "not given"),
                ],
                occurredAt: occurredAt, subjectStateId: check.stateId, sourceEventId: source, sourceEventType: eventType,
                scope: check.releaseId), in: transaction)
        }
        guard let destination = check.destination else { return }
        try NotificationOutbox.emit(BusNotification(
            recipient: jurisdictions.police(for: destination), priority: .high,
            summary: "High-risk release into your jurisdiction: \(Describe.person(check.subject)) from \(release) to \(destination.city), \(destination.state); warrant pending: \(warrants.map(\.label).joined(separator: "; "))",
            reason: NotificationReason(
                rule: Rule.policePending,
                explanation: "The person is releasing to an address in your city and a warrant is pending.",
                matched: Self.matched(check.subject, warrants: warrants, city: destination)),
            facts: [
                NotificationFact("who", Describe.identifiers(check.subject)),
                NotificationFact("what", "scheduled release with warrant pending: \(warrants.map(\.label).joined(separator: "; "))"),
                NotificationFact("release", "\(check.releaseId) from \(check.facilityName) at \(check.releaseAt) (\(check.releaseType))"),
                NotificationFact("destination", Describe.address(destination) ?? ""),
            ],
            occurredAt: occurredAt, subjectStateId: check.stateId, sourceEventId: source, sourceEventType: eventType,
            scope: check.releaseId), in: transaction)
    }

    static func matched(_ subject: SubjectIdentifiers?, warrants: [Warrant], city: Address?) -> [MatchedIdentifier] {
        var matched: [MatchedIdentifier] = []
        if let stateId = subject?.stateId { matched.append(MatchedIdentifier("stateId", stateId)) }
        for warrant in warrants { matched.append(MatchedIdentifier("warrantId", warrant.warrantId)) }
        if let city { matched.append(MatchedIdentifier("city", "\(city.city), \(city.state)")) }
        return matched
    }

    // MARK: Storage

    public struct Warrant: Sendable, Hashable {
        public var warrantId: String
        public var kind: String
        public var issuingAgencyId: String
        var label: String { "\(warrantId) (\(kind))" }
    }

    public struct Check: Sendable {
        public var releaseId: String
        public var stateId: String?
        public var fbiNumber: String?
        public var status: String
        public var scheduled: Bool
        public var closed: Bool
        public var facilityId: String
        public var facilityName: String
        public var releaseAt: String
        public var releaseType: String
        public var destination: Address?
        public var subject: SubjectIdentifiers?
        var releaseDay: String { String(releaseAt.prefix(10)) }
    }

    private func insert(_ check: Check, warrants: [Warrant], _ db: Database) throws {
        try db.cachedExecute(
            sql: """
                INSERT INTO warrant_checks (release_id, state_id, fbi_number, status, scheduled, closed, facility_id, facility_name,
                    release_at, release_type, destination, subject)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [check.releaseId, check.stateId, check.fbiNumber, check.status, check.scheduled, check.closed, check.facilityId,
                        check.facilityName, check.releaseAt, check.releaseType, try check.destination.map { Data(try Self.encode($0)) },
                        Data(try Self.encode(check.subject))])
        for warrant in warrants {
            try db.cachedExecute(sql: "INSERT INTO warrant_check_items (release_id, warrant_id) VALUES (?, ?)",
                           arguments: [check.releaseId, warrant.warrantId])
        }
    }

    /// The check of a release, if there is one.
    public static func check(_ releaseId: String, _ db: Database) throws -> Check? {
        try Row.fetchOne(db, cached: "SELECT * FROM warrant_checks WHERE release_id = ?", arguments: [releaseId]).map(Self.check(row:))
    }

    private func check(_ releaseId: String, _ db: Database) throws -> Check? { try Self.check(releaseId, db) }

    private func checks(of subject: SubjectIdentifiers?, openOnly: Bool, _ db: Database) throws -> [Check] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        return try Row.fetchAll(
            db, cached: """
                SELECT * FROM warrant_checks
                WHERE ((state_id IS NOT NULL AND state_id = ?) OR (fbi_number IS NOT NULL AND fbi_number = ?)) AND (closed = 0 OR ? = 0)
                ORDER BY release_id
                """, arguments: [subject.stateId, subject.fbiNumber, openOnly]
        ).map(Self.check(row:))
    }

    private static func check(row: Row) -> Check {
        let destination: Data? = row["destination"]
        let subject: Data = row["subject"]
        return Check(
            releaseId: row["release_id"], stateId: row["state_id"], fbiNumber: row["fbi_number"], status: row["status"],
            scheduled: row["scheduled"], closed: row["closed"], facilityId: row["facility_id"], facilityName: row["facility_name"],
            releaseAt: row["release_at"], releaseType: row["release_type"],
            destination: destination.flatMap { try? JSONDecoder().decode(Address.self, from: $0) },
            subject: try? JSONDecoder().decode(SubjectIdentifiers?.self, from: subject))
    }

    private func activeWarrants(of subject: SubjectIdentifiers?, _ db: Database) throws -> [Warrant] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        return try Row.fetchAll(
            db, cached: """
                SELECT warrant_id, warrant_kind, issuing_agency_id FROM warrants
                WHERE ((state_id IS NOT NULL AND state_id = ?) OR (fbi_number IS NOT NULL AND fbi_number = ?)) AND status = 'active'
                ORDER BY warrant_id
                """, arguments: [subject.stateId, subject.fbiNumber]
        ).map(Self.warrant(row:))
    }

    /// The warrants on a check that are still active.
    public static func activeWarrants(on releaseId: String, _ db: Database) throws -> [Warrant] {
        try Row.fetchAll(
            db, cached: """
                SELECT w.warrant_id, w.warrant_kind, w.issuing_agency_id FROM warrant_check_items i
                JOIN warrants w ON w.warrant_id = i.warrant_id
                WHERE i.release_id = ? AND w.status = 'active' ORDER BY w.warrant_id
                """, arguments: [releaseId]
        ).map(Self.warrant(row:))
    }

    private func activeWarrants(on releaseId: String, _ db: Database) throws -> [Warrant] { try Self.activeWarrants(on: releaseId, db) }

    private static func warrant(row: Row) -> Warrant {
        Warrant(warrantId: row["warrant_id"], kind: row["warrant_kind"] ?? "unknown", issuingAgencyId: row["issuing_agency_id"] ?? "unknown")
    }

    public func stateChecksum(_ db: Database) throws -> String {
        var hash = SHA256()
        for table in ["warrants ORDER BY warrant_id", "warrant_checks ORDER BY release_id", "warrant_check_items ORDER BY release_id, warrant_id",
                      "notifications_sent ORDER BY id"] {
            for row in try Row.fetchAll(db, cached: "SELECT * FROM \(table)") { hash.update(row: row) }
        }
        return hash.finalize().hexString
    }

    static func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        try EventCodec.encodeJSON(value)
    }
}
