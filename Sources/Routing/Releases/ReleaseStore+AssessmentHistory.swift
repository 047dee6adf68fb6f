import Contracts
import Storage

/// Every assessment the release rules keep (`releases_assessment_history`, `releases-v5`), by
/// state ID or, for a subject without one, by the record the person index gives it: the
/// pre-release rules judge a release by the latest assessment completed by the moment they
/// judge it (`ReleaseRules.latestAssessment(for:onOrBefore:)`). With the latest read alone, a
/// replay, which reads `supervision.assessments` ahead of the releases, judged a release by an
/// assessment made after it, and sent (or withheld) a 60-day notice the running service had
/// not. The latest tables stay for what asks for the latest (sealing finds records through
/// them).
extension ReleaseStore {
    /// A day after every `YYYY-MM-DD`: "any day" for `completed_on <= $n`.
    static let anyDay = "9999-12-31"

    /// Keeps `assessment` (its id once; a correction sent under the same id replaces it) under
    /// `key` of `keyColumn` (`state_id` or `record_id`, this store's own names).
    func keepInHistory(
        _ assessment: EventEnvelope<AssessmentCompleted>, keyColumn: String, key: String, highNeeds: Bool, forgetAfterMilliseconds: Int64?
    ) throws {
        let payload = assessment.payload
        let stateId: SQLValue = keyColumn == "state_id" ? .text(key) : .null
        let recordId: SQLValue = keyColumn == "record_id" ? .text(key) : .null
        try transaction.send(
            """
            INSERT INTO releases_assessment_history
                (assessment_id, state_id, record_id, fbi_number, completed_on, risk_level, high_needs, forget_after_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (assessment_id) DO UPDATE SET state_id = excluded.state_id, record_id = excluded.record_id,
                fbi_number = excluded.fbi_number, completed_on = excluded.completed_on, risk_level = excluded.risk_level,
                high_needs = excluded.high_needs, forget_after_ms = excluded.forget_after_ms
            """,
            [.text(payload.assessmentId), stateId, recordId, .optional(assessment.subject?.fbiNumber), .text(payload.completedOn.description),
             .text(payload.riskLevel.rawValue), .integer(highNeeds ? 1 : 0), forgetAfterMilliseconds.map(SQLValue.integer) ?? .null])
    }
}
