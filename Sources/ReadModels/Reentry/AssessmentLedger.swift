import Contracts
import ServiceKit
import Storage

/// The risk and needs assessments a view knows, from `supervision.assessments`
/// (`<prefix>_assessments`, one row per assessment id, with the subject's state ID and FBI
/// number beside its key). The latest assessment of a person at an instant is the one
/// completed last by then (completion day, UTC; then the event that happened last; then the
/// assessment id) among those naming either of the person's numbers: `latestJoin` selects it.
///
/// Needs are health information (mental health, substance use): a view that does not use
/// them (`keepsNeeds: false`, the police view) does not store them.
struct AssessmentLedger: Sendable {
    let prefix: String
    let keepsNeeds: Bool

    var table: String { "\(prefix)_assessments" }
    var tables: [String] { [table] }

    var schema: String {
        """
        CREATE TABLE \(table) (
            assessment_id TEXT PRIMARY KEY NOT NULL,
            person_key TEXT NOT NULL,
            instrument TEXT NOT NULL,
            completed_at BIGINT NOT NULL,
            risk_level TEXT NOT NULL,
            needs TEXT,
            occurred_at BIGINT NOT NULL,
            event_id TEXT NOT NULL
        );
        CREATE INDEX \(table)_by_person ON \(table) (person_key, completed_at)
        """
    }

    /// The second step of the table (the first is `schema`, shipped as it stands): the
    /// subject's state ID and FBI number beside the key, so that an assessment meets a release
    /// or case naming the person by the other number (a transferee assessed under the FBI
    /// number, released under the state ID). Rows kept before have the number of their key
    /// only; `replay views` restores the other.
    var numbersStep: String { PersonKey.numbersColumnsSQL(in: table, indexedWith: "completed_at") }

    /// Keeps one assessment; a re-sent one replaces it only when it happened later.
    ///
    /// - Throws: `PoisonMessage` when it names nobody or does not decode.
    func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        let completed = try event.decode(AssessmentCompleted.self)
        let person = try PersonOnRecord(subject: completed.subject)
        let assessment = completed.payload
        try transaction.send(
            """
            INSERT INTO \(table) (
                assessment_id, person_key, state_id, fbi_number, instrument, completed_at, risk_level, needs, occurred_at, event_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (assessment_id) DO UPDATE SET
                person_key = excluded.person_key, state_id = excluded.state_id, fbi_number = excluded.fbi_number, instrument = excluded.instrument, completed_at = excluded.completed_at, risk_level = excluded.risk_level, needs = excluded.needs,
                occurred_at = excluded.occurred_at, event_id = excluded.event_id
            WHERE \(table).occurred_at < excluded.occurred_at
                OR (\(table).occurred_at = excluded.occurred_at AND \(table).event_id < excluded.event_id)
            """,
            [
                .text(assessment.assessmentId), .text(person.personKey), person.stateId.sqlValue, person.fbiNumber.sqlValue,
                .text(assessment.instrument),
                .integer(ViewTime.start(of: assessment.completedOn)), .text(assessment.riskLevel.rawValue),
                keepsNeeds ? try StoredColumn.optionalJSON(assessment.needs) : .null,
                .integer(ViewTime.milliseconds(completed.occurredAt)), .text(event.eventId),
            ])
    }

    /// `LEFT JOIN <table> <alias> ON …`: the latest assessment completed by the instant bound
    /// to `asOf` of the person of the row aliased `person` (with `state_id` and `fbi_number`),
    /// naming either number; the alias's columns are NULL when there is none.
    func latestJoin(_ alias: String, person: String, asOf: String) -> String {
        PersonKey.firstByNumbersJoin(
            table: table, alias: alias, idColumn: "assessment_id", person: person, condition: "x.completed_at <= \(asOf)",
            order: "x.completed_at DESC, x.occurred_at DESC, x.assessment_id DESC")
    }
}

/// A person's latest risk and needs assessment, as the police and reentry views show it.
public struct LatestAssessment: Codable, Sendable, Hashable {
    public var assessmentId: String
    public var instrument: String
    public var completedOn: CalendarDate
    public var riskLevel: RiskLevel
    /// Only where the view keeps needs (the reentry view); empty otherwise.
    public var needs: [AssessedNeed]

    /// From a row whose assessment columns (``AssessmentLedger/latestJoin(_:person:asOf:)``)
    /// are prefixed `assessment_` (nil when the person has none: the assessment id is NULL).
    init?(_ row: StorageRow, table: String) throws {
        guard let id = try row.get("assessment_assessment_id", as: String?.self) else { return nil }
        assessmentId = id
        instrument = try row.get("assessment_instrument")
        completedOn = try StoredColumn.day("assessment_completed_at", in: row)
        riskLevel = try StoredColumn.code(RiskLevel.self, "assessment_risk_level", in: row, table: table)
        needs = try StoredColumn.optionalJSON([AssessedNeed].self, "assessment_needs", in: row, table: table) ?? []
    }

    /// The assessment columns of the table aliased `alias`, prefixed `assessment_`.
    static func columns(_ alias: String) -> String {
        ["assessment_id", "instrument", "completed_at", "risk_level", "needs"]
            .map { "\(alias).\($0) AS assessment_\($0)" }.joined(separator: ", ")
    }
}
