import Contracts
import Directory
import Foundation
import Storage
import Timers
import ServiceKit

/// The release rules' database: the releases known (`releases_known`), the release events kept
/// for cases read later (`releases_events`), each person's latest assessment
/// (`releases_assessments`) and every assessment kept (`releases_assessment_history`), who was involved in which violent incident when
/// (`releases_involvements`, by state ID or FBI number) and the last tick of the bus's clock
/// read (`releases_clock`).
/// Each method is one step of the batch transaction it is given; every value a bound parameter;
/// the same SQL on SQLite and PostgreSQL.
///
/// Releases and kept events are forgotten once `custody.releases` can no longer redeliver their
/// events; an assessment once `supervision.assessments` can no longer redeliver it; an
/// involvement a year after its incident (the high-needs rule looks back 12 months), all on
/// the event clock (`forget_after_ms`).
struct ReleaseStore {
    let transaction: any StorageTransaction

    init(_ transaction: any StorageTransaction) { self.transaction = transaction }

    /// Shipped steps are never edited: changes come as new ones.
    static let migrations: [StorageMigration] = [
        .script("releases-v1", """
            CREATE TABLE releases_known (
                release_id TEXT PRIMARY KEY NOT NULL,
                state_id TEXT,
                fbi_number TEXT,
                status TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled', 'completed')),
                expected_at_ms BIGINT,
                due_from_ms BIGINT,
                release BYTEA NOT NULL,
                forget_after_ms BIGINT
            );
            CREATE INDEX releases_known_by_state_id ON releases_known (state_id);
            CREATE INDEX releases_known_by_fbi ON releases_known (fbi_number);
            CREATE INDEX releases_known_by_due ON releases_known (status, due_from_ms);
            CREATE INDEX releases_known_by_forget_time ON releases_known (forget_after_ms);
            CREATE TABLE releases_events (
                event_id TEXT PRIMARY KEY NOT NULL,
                release_id TEXT NOT NULL,
                state_id TEXT,
                fbi_number TEXT,
                notice BYTEA NOT NULL,
                forget_after_ms BIGINT
            );
            CREATE INDEX releases_events_by_state_id ON releases_events (state_id);
            CREATE INDEX releases_events_by_fbi ON releases_events (fbi_number);
            CREATE INDEX releases_events_by_forget_time ON releases_events (forget_after_ms);
            CREATE TABLE releases_assessments (
                state_id TEXT PRIMARY KEY NOT NULL,
                fbi_number TEXT,
                assessment_id TEXT NOT NULL,
                completed_on TEXT NOT NULL,
                risk_level TEXT NOT NULL,
                high_needs BIGINT NOT NULL,
                forget_after_ms BIGINT
            );
            CREATE INDEX releases_assessments_by_fbi ON releases_assessments (fbi_number);
            CREATE INDEX releases_assessments_by_forget_time ON releases_assessments (forget_after_ms);
            CREATE TABLE releases_involvements (
                incident_id TEXT NOT NULL,
                state_id TEXT NOT NULL,
                role TEXT NOT NULL,
                incident_kind TEXT NOT NULL,
                incident_at_ms BIGINT NOT NULL,
                forget_after_ms BIGINT,
                PRIMARY KEY (incident_id, state_id, role)
            );
            CREATE INDEX releases_involvements_by_state_id ON releases_involvements (state_id, incident_at_ms);
            CREATE INDEX releases_involvements_by_forget_time ON releases_involvements (forget_after_ms);
            CREATE TABLE releases_clock (
                clock TEXT PRIMARY KEY NOT NULL,
                at_ms BIGINT NOT NULL
            );
            """),
        // v2: each kept event's destination (state, `PlaceKey` of the city), so a place or county
        // subscription read after a release finds it. Rows kept before have none.
        .script("releases-v2", """
            ALTER TABLE releases_events ADD COLUMN dest_state TEXT;
            ALTER TABLE releases_events ADD COLUMN dest_place_key TEXT;
            CREATE INDEX releases_events_by_place ON releases_events (dest_state, dest_place_key);
            """),
        // v3 (issue 19 item 4): assessments whose subject names no state ID, under the record the
        // person index gives their subject, and the records of each release's subject, so that
        // a link between the two finds the assessment for the release (`ReleaseStore+Links`).
        .script("releases-v3", """
            CREATE TABLE releases_linked_assessments (
                record_id TEXT PRIMARY KEY NOT NULL,
                fbi_number TEXT,
                assessment_id TEXT NOT NULL,
                completed_on TEXT NOT NULL,
                risk_level TEXT NOT NULL,
                high_needs BIGINT NOT NULL,
                forget_after_ms BIGINT
            );
            CREATE INDEX releases_linked_assessments_by_fbi ON releases_linked_assessments (fbi_number);
            CREATE INDEX releases_linked_assessments_by_forget_time ON releases_linked_assessments (forget_after_ms);
            CREATE TABLE releases_subject_records (
                release_id TEXT NOT NULL,
                record_id TEXT NOT NULL,
                forget_after_ms BIGINT,
                PRIMARY KEY (release_id, record_id)
            );
            CREATE INDEX releases_subject_records_by_record ON releases_subject_records (record_id);
            CREATE INDEX releases_subject_records_by_forget_time ON releases_subject_records (forget_after_ms);
            CREATE TABLE releases_linked_notices (
                notification_id TEXT PRIMARY KEY NOT NULL,
                release_id TEXT NOT NULL,
                assessment_record_id TEXT NOT NULL,
                notice BYTEA NOT NULL,
                retracted INTEGER NOT NULL DEFAULT 0,
                forget_after_ms BIGINT
            );
            CREATE INDEX releases_linked_notices_by_release ON releases_linked_notices (release_id);
            CREATE INDEX releases_linked_notices_by_record ON releases_linked_notices (assessment_record_id);
            CREATE INDEX releases_linked_notices_by_forget_time ON releases_linked_notices (forget_after_ms);
            """),
        // v4: involvements kept by person key (`sid:`/`fbi:`) with both numbers, so that a person
        // a violent incident names by the FBI number alone (its version 2) counts for their
        // release too. Rows kept before move under `sid:`.
        .script("releases-v4", """
            CREATE TABLE releases_involvements_by_person (
                incident_id TEXT NOT NULL,
                person_key TEXT NOT NULL,
                state_id TEXT,
                fbi_number TEXT,
                role TEXT NOT NULL,
                incident_kind TEXT NOT NULL,
                incident_at_ms BIGINT NOT NULL,
                forget_after_ms BIGINT,
                PRIMARY KEY (incident_id, person_key, role)
            );
            INSERT INTO releases_involvements_by_person
                (incident_id, person_key, state_id, fbi_number, role, incident_kind, incident_at_ms, forget_after_ms)
                SELECT incident_id, 'sid:' || state_id, state_id, NULL, role, incident_kind, incident_at_ms, forget_after_ms
                FROM releases_involvements;
            DROP TABLE releases_involvements;
            ALTER TABLE releases_involvements_by_person RENAME TO releases_involvements;
            CREATE INDEX releases_involvements_by_state_id ON releases_involvements (state_id, incident_at_ms);
            CREATE INDEX releases_involvements_by_fbi ON releases_involvements (fbi_number, incident_at_ms);
            CREATE INDEX releases_involvements_by_forget_time ON releases_involvements (forget_after_ms);
            """),
        // v5: every assessment kept (by state ID, or under a record for a subject without one),
        // so that the pre-release rules judge a release by the latest assessment completed by
        // then, not by the latest read (a replay reads an assessment made after the release
        // before the release: `ReleaseStore+AssessmentHistory`). Filled from the latest kept.
        .script("releases-v5", """
            CREATE TABLE releases_assessment_history (
                assessment_id TEXT PRIMARY KEY NOT NULL,
                state_id TEXT,
                record_id TEXT,
                fbi_number TEXT,
                completed_on TEXT NOT NULL,
                risk_level TEXT NOT NULL,
                high_needs BIGINT NOT NULL,
                forget_after_ms BIGINT
            );
            CREATE INDEX releases_assessment_history_by_state_id ON releases_assessment_history (state_id);
            CREATE INDEX releases_assessment_history_by_record ON releases_assessment_history (record_id);
            CREATE INDEX releases_assessment_history_by_fbi ON releases_assessment_history (fbi_number);
            CREATE INDEX releases_assessment_history_by_forget_time ON releases_assessment_history (forget_after_ms);
            INSERT INTO releases_assessment_history
                (assessment_id, state_id, record_id, fbi_number, completed_on, risk_level, high_needs, forget_after_ms)
                SELECT assessment_id, state_id, NULL, fbi_number, completed_on, risk_level, high_needs, forget_after_ms
                FROM releases_assessments;
            INSERT INTO releases_assessment_history
                (assessment_id, state_id, record_id, fbi_number, completed_on, risk_level, high_needs, forget_after_ms)
                SELECT assessment_id, NULL, record_id, fbi_number, completed_on, risk_level, high_needs, forget_after_ms
                FROM releases_linked_assessments
                WHERE assessment_id NOT IN (SELECT assessment_id FROM releases_assessment_history);
            """),
    ]

    /// The rows of a person: `$1` state ID, `$2` FBI number.
    static let person = "((state_id IS NOT NULL AND state_id = $1) OR (fbi_number IS NOT NULL AND fbi_number = $2))"


    // MARK: Clock

    /// The latest tick read (ms since 1970); nil before the first.
    func lastTick() throws -> Int64? { try clock.last() }

    func recordTick(_ atMilliseconds: Int64) throws { try clock.record(atMilliseconds) }

    private var clock: TickClock { TickClock(table: "releases_clock", in: transaction) }

    // MARK: Releases

    func release(_ releaseId: String) throws -> KnownRelease? {
        try transaction.fetchOne("SELECT release FROM releases_known WHERE release_id = $1", [.text(releaseId)]).map(Self.release(row:))
    }

    func save(_ release: KnownRelease, forgetAfterMilliseconds: Int64?) throws {
        try transaction.send(
            """
            INSERT INTO releases_known (release_id, state_id, fbi_number, status, expected_at_ms, due_from_ms, release, forget_after_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (release_id) DO UPDATE SET state_id = excluded.state_id, fbi_number = excluded.fbi_number,
                status = excluded.status, expected_at_ms = excluded.expected_at_ms, due_from_ms = excluded.due_from_ms,
                release = excluded.release, forget_after_ms = excluded.forget_after_ms
            """,
            [.text(release.releaseId), .optional(release.subject?.stateId), .optional(release.subject?.fbiNumber),
             .text(release.status.rawValue), release.expectedAt.map { .integer(ReleaseClock.milliseconds($0)) } ?? .null,
             release.dueFromMilliseconds.map(SQLValue.integer) ?? .null, .bytes(try EventCodec.encodeJSON(release)),
             forgetAfterMilliseconds.map(SQLValue.integer) ?? .null])
    }

    /// Scheduled releases whose pre-release window opened after `after` (nil: ever) and at or
    /// before `until`: those a tick at `until` makes due.
    func releasesComingDue(after: Int64?, until: Int64) throws -> [KnownRelease] {
        try transaction.fetchAll(
            """
            SELECT release FROM releases_known
            WHERE status = 'scheduled' AND due_from_ms IS NOT NULL AND due_from_ms > $1 AND due_from_ms <= $2
            ORDER BY due_from_ms, release_id
            """,
            [.integer(after ?? Int64.min), .integer(until)]
        ).map(Self.release(row:))
    }

    /// The person's scheduled releases whose pre-release window opened at or before `now`, by
    /// release id.
    ///
    /// Selected by person alone, the window tested here: with the window's conditions in the
    /// SQL, SQLite's planner chose the `(status, due_from_ms)` index over the person's, and in
    /// a replay, where every release's window has opened, that read every scheduled release
    /// for each case started (1.3–1.8 ms a call at 40,000 events, two thirds of the router's
    /// time in SQL, growing with the table).
    func dueReleases(of subject: SubjectIdentifiers?, now: Int64) throws -> [KnownRelease] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        return try transaction.fetchAll(
            "SELECT release, status, due_from_ms FROM releases_known WHERE \(Self.person) ORDER BY release_id",
            [.optional(subject.stateId), .optional(subject.fbiNumber)]
        ).filter { row in
            let dueFrom = try row.get("due_from_ms", as: Int64?.self)
            return try row.get("status", as: String.self) == KnownRelease.Status.scheduled.rawValue && dueFrom.map { $0 <= now } == true
        }.map(Self.release(row:))
    }

    private static func release(row: StorageRow) throws -> KnownRelease {
        try EventCodec.decodeJSON(KnownRelease.self, from: try row.get("release", as: [UInt8].self))
    }

    // MARK: Kept events

    func keep(_ notice: ReleaseNotice, forgetAfterMilliseconds: Int64?) throws {
        try transaction.send(
            """
            INSERT INTO releases_events (event_id, release_id, state_id, fbi_number, notice, forget_after_ms, dest_state, dest_place_key)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_id) DO NOTHING
            """,
            [.text(notice.eventId), .text(notice.releaseId), .optional(notice.subject?.stateId), .optional(notice.subject?.fbiNumber),
             .bytes(try EventCodec.encodeJSON(notice)), forgetAfterMilliseconds.map(SQLValue.integer) ?? .null,
             .optional(notice.destination?.state.uppercased()), .optional(notice.destination.map { PlaceKey($0.city).value })])
    }

    /// The kept release events whose destination is one of `places` of `state` (names compared
    /// as `PlaceKey` compares them), by event id, with when they may be forgotten; those already
    /// due at `nowMilliseconds` count as gone.
    func notices(inState state: String, places: [String], nowMilliseconds: Int64?) throws -> [(notice: ReleaseNotice, forgetAfter: Int64?)] {
        var found: [(notice: ReleaseNotice, forgetAfter: Int64?)] = []
        for key in Set(places.map { PlaceKey($0).value }).sorted() {
            found += try transaction.fetchAll(
                """
                SELECT notice, forget_after_ms FROM releases_events
                WHERE dest_state = $1 AND dest_place_key = $2 AND (forget_after_ms IS NULL OR forget_after_ms >= $3)
                ORDER BY event_id
                """,
                [.text(state.uppercased()), .text(key), .integer(nowMilliseconds ?? Int64.min)]
            ).map { row in
                (try EventCodec.decodeJSON(ReleaseNotice.self, from: try row.get("notice", as: [UInt8].self)), try row.get("forget_after_ms"))
            }
        }
        return found
    }

    /// The kept release events of the person `subject` names, with when they may be forgotten;
    /// those already due to be forgotten at `nowMilliseconds` count as gone.
    func notices(of subject: SubjectIdentifiers?, nowMilliseconds: Int64?) throws -> [(notice: ReleaseNotice, forgetAfter: Int64?)] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        return try transaction.fetchAll(
            """
            SELECT notice, forget_after_ms FROM releases_events
            WHERE \(Self.person) AND (forget_after_ms IS NULL OR forget_after_ms >= $3)
            ORDER BY event_id
            """,
            [.optional(subject.stateId), .optional(subject.fbiNumber), .integer(nowMilliseconds ?? Int64.min)]
        ).map { row in
            (try EventCodec.decodeJSON(ReleaseNotice.self, from: try row.get("notice", as: [UInt8].self)), try row.get("forget_after_ms"))
        }
    }

    // MARK: Assessments

    /// Keeps `assessment` as the person's latest unless a later one (completed on a later day,
    /// or the same day with a greater id) is kept already.
    func keepAssessment(_ assessment: EventEnvelope<AssessmentCompleted>, stateId: String, forgetAfterMilliseconds: Int64?) throws {
        try keepLatest(assessment, in: "releases_assessments", keyColumn: "state_id", key: stateId, forgetAfterMilliseconds: forgetAfterMilliseconds)
    }

    /// Upserts `assessment` into `table` under `key` (its `keyColumn`) unless a later one
    /// (completed on a later day, or the same day with a greater id) is kept there already.
    /// `table` and `keyColumn` are this store's own names, never input.
    func keepLatest(
        _ assessment: EventEnvelope<AssessmentCompleted>, in table: String, keyColumn: String, key: String, forgetAfterMilliseconds: Int64?
    ) throws {
        let payload = assessment.payload
        let highNeeds = (payload.needs ?? []).contains { ReleaseRisk.isHigh($0.level) }
        try transaction.send(
            """
            INSERT INTO \(table) (\(keyColumn), fbi_number, assessment_id, completed_on, risk_level, high_needs, forget_after_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (\(keyColumn)) DO UPDATE SET fbi_number = excluded.fbi_number, assessment_id = excluded.assessment_id,
                completed_on = excluded.completed_on, risk_level = excluded.risk_level, high_needs = excluded.high_needs,
                forget_after_ms = excluded.forget_after_ms
            WHERE excluded.completed_on > \(table).completed_on
                OR (excluded.completed_on = \(table).completed_on AND excluded.assessment_id >= \(table).assessment_id)
            """,
            [.text(key), .optional(assessment.subject?.fbiNumber), .text(payload.assessmentId), .text(payload.completedOn.description),
             .text(payload.riskLevel.rawValue), .integer(highNeeds ? 1 : 0), forgetAfterMilliseconds.map(SQLValue.integer) ?? .null])
        try keepInHistory(assessment, keyColumn: keyColumn, key: key, highNeeds: highNeeds, forgetAfterMilliseconds: forgetAfterMilliseconds)
    }

    /// The latest assessment kept of the person `subject` names (the latest of those matched on
    /// state ID or FBI number) completed on or before `day` (`YYYY-MM-DD`; any day when nil);
    /// nil when none.
    func latestAssessment(of subject: SubjectIdentifiers?, onOrBefore day: String? = nil) throws -> KeptAssessment? {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return nil }
        return try transaction.fetchOne(
            """
            SELECT assessment_id, completed_on, risk_level, high_needs FROM releases_assessment_history
            WHERE state_id IS NOT NULL AND \(Self.person) AND completed_on <= $3
            ORDER BY completed_on DESC, assessment_id DESC LIMIT 1
            """,
            [.optional(subject.stateId), .optional(subject.fbiNumber), .text(day ?? Self.anyDay)]
        ).map { row in
            KeptAssessment(
                assessmentId: try row.get("assessment_id"), completedOn: try row.get("completed_on"),
                riskLevel: RiskLevel(rawValue: try row.get("risk_level")) ?? .low, highNeeds: try row.get("high_needs", as: Int64.self) != 0)
        }
    }

    // MARK: Involvements

    /// Keeps that the person an incident names by `person` (a state ID, or an FBI number
    /// instead: `SuperviseeIncident.personKey`) was involved in it in `role`.
    func keepInvolvement(incidentId: String, person: InvolvedPerson, role: String, kind: String, at: Date) throws {
        guard let personKey = SuperviseeIncident.personKey(person) else { return }
        let atMilliseconds = ReleaseClock.milliseconds(at)
        try transaction.send(
            """
            INSERT INTO releases_involvements
                (incident_id, person_key, state_id, fbi_number, role, incident_kind, incident_at_ms, forget_after_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (incident_id, person_key, role) DO UPDATE SET state_id = excluded.state_id, fbi_number = excluded.fbi_number,
                incident_kind = excluded.incident_kind, incident_at_ms = excluded.incident_at_ms, forget_after_ms = excluded.forget_after_ms
            """,
            [.text(incidentId), .text(personKey), .optional(PersonNumberKey.nonEmpty(person.stateId)), .optional(PersonNumberKey.nonEmpty(person.fbiNumber)),
             .text(role), .text(kind), .integer(atMilliseconds),
             .integer(atMilliseconds + ReleaseRisk.incidentLookBackMilliseconds + 86_400_000)])
    }

    /// The involvements in violent incidents of the person `subject` names (by state ID or FBI
    /// number) at or after `from` and at or before `until`, by time; an incident that named the
    /// person once by each number counts once.
    func involvements(of subject: SubjectIdentifiers?, from: Int64, until: Int64) throws -> [KeptInvolvement] {
        let stateId = PersonNumberKey.nonEmpty(subject?.stateId), fbiNumber = PersonNumberKey.nonEmpty(subject?.fbiNumber)
        guard stateId != nil || fbiNumber != nil else { return [] }
        return try transaction.fetchAll(
            """
            SELECT DISTINCT incident_id, role, incident_kind, incident_at_ms FROM releases_involvements
            WHERE \(Self.person) AND incident_at_ms >= $3 AND incident_at_ms <= $4
            ORDER BY incident_at_ms, incident_id, role
            """,
            [.optional(stateId), .optional(fbiNumber), .integer(from), .integer(until)]
        ).map { row in
            KeptInvolvement(
                incidentId: try row.get("incident_id"), role: try row.get("role"), kind: try row.get("incident_kind"),
                at: ReleaseClock.date(try row.get("incident_at_ms")))
        }
    }

    // MARK: Forgetting and sealing

    /// Forgets at most `limit` rows of each table due before `nowMilliseconds`.
    func forget(before nowMilliseconds: Int64, limit: Int) throws {
        for (table, key) in [
            ("releases_known", "release_id"), ("releases_events", "event_id"), ("releases_assessments", "state_id"),
            ("releases_involvements", "(incident_id, person_key, role)"), ("releases_linked_assessments", "record_id"),
            ("releases_subject_records", "(release_id, record_id)"), ("releases_linked_notices", "notification_id"),
            ("releases_assessment_history", "assessment_id"),
        ] {
            try transaction.forgetDue(table, key: key, before: nowMilliseconds, limit: limit)
        }
    }

    /// The state IDs the release rows of the order's person carry (a row matched by FBI number
    /// may carry one the order does not name).
    func stateIds(of order: SealingOrder) throws -> Set<String> {
        try transaction.personNumbers(
            "state_id", in: ["releases_known", "releases_assessments", "releases_assessment_history", "releases_involvements"], where: Self.person,
            [.optional(order.stateId), .optional(order.fbiNumber)])
    }

    /// The FBI numbers the order's person's releases carry: an order naming the state ID alone
    /// is applied again with each (`RouterProjection.seal`), reaching the releases under the
    /// FBI number alone and the notices filed under it.
    func fbiNumbers(of order: SealingOrder) throws -> Set<String> {
        try transaction.personNumbers(
            "fbi_number", in: ["releases_known", "releases_involvements"], where: Self.person, [.optional(order.stateId), .optional(order.fbiNumber)])
    }

    /// Removes one release and its kept events: a release under neither a state ID nor an FBI
    /// number, found for a sealing order through the person index's link of its subject.
    func removeRelease(_ releaseId: String) throws -> SealingTally {
        var tally = SealingTally()
        for table in ["releases_subject_records", "releases_linked_notices", "releases_known", "releases_events"] {
            tally.add(try transaction.execute("DELETE FROM \(table) WHERE release_id = $1", [.text(releaseId)]), from: table)
        }
        return tally
    }

    /// Removes every row of the order's person (`all_records`): releases, kept events, the
    /// assessment and the involvements (by each state ID the person's rows carry, and `paired`:
    /// those the router's cases pair with an order naming only the FBI number).
    func removePerson(_ order: SealingOrder, alsoStateIds paired: Set<String> = []) throws -> SealingTally {
        var tally = SealingTally()
        let stateIds = try stateIds(of: order).union(order.stateId.map { [$0] } ?? []).union(paired)
        let arguments: [SQLValue] = [.optional(order.stateId), .optional(order.fbiNumber)]
        // The records of the person's releases go with them (they name the person by an
        // agency's number); the assessments kept under those records, by `PersonLinkStore`.
        for table in ["releases_subject_records", "releases_linked_notices"] {
            tally.add(try transaction.execute(
                "DELETE FROM \(table) WHERE release_id IN (SELECT release_id FROM releases_known WHERE \(Self.person))", arguments), from: table)
        }
        tally.add(try transaction.execute(
            "DELETE FROM releases_linked_assessments WHERE fbi_number IS NOT NULL AND fbi_number = $1", [.optional(order.fbiNumber)]),
            from: "releases_linked_assessments")
        for table in ["releases_known", "releases_events", "releases_assessments", "releases_assessment_history"] {
            tally.add(try transaction.execute("DELETE FROM \(table) WHERE \(Self.person)", arguments), from: table)
        }
        for stateId in stateIds.sorted() {
            tally.add(try transaction.execute("DELETE FROM releases_involvements WHERE state_id = $1", [.text(stateId)]), from: "releases_involvements")
        }
        if let fbiNumber = order.fbiNumber {
            tally.add(try transaction.execute("DELETE FROM releases_involvements WHERE fbi_number = $1", [.text(fbiNumber)]), from: "releases_involvements")
        }
        return tally
    }
}

/// A person's latest assessment, as the pre-release rules need it.
struct KeptAssessment: Sendable, Hashable {
    var assessmentId: String
    var completedOn: String
    var riskLevel: RiskLevel
    /// Whether a need was scored at a high level (high or very high).
    var highNeeds: Bool
    /// How sure the person index was that the assessment is the released person's, when it was
    /// found through a link (its subject named no state ID); nil when it was matched on the
    /// release's own numbers.
    var link: PersonLinkStore.Link? = nil
    /// The record it was kept under, when found through a link (for a retraction on unlink).
    var linkedRecordId: String? = nil
}

/// An involvement in a violent incident, as the high-needs rule needs it.
struct KeptInvolvement: Sendable, Hashable {
    var incidentId: String
    /// `victim` or `suspect`.
    var role: String
    var kind: String
    var at: Date
}
