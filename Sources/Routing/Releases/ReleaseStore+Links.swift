import Contracts
import Notifications
import ServiceKit
import Storage

/// The release rules' rows for the person index's links (issue 19 item 4, tables of
/// `releases-v3`):
/// - `releases_linked_assessments`: the latest assessment of each subject that named no state ID
///   (`supervision.assessments` version 2: a prison's intake assessment under the DOC number),
///   under the record id the index gives the subject (`PersonRecordIds`), or the subject key
///   when the subject has no name (the index keeps no such record; only its FBI number can
///   then match);
/// - `releases_subject_records`: the records of each release's subject (a release's events may
///   describe the subject differently, so more than one), so that a link between a release's
///   record and an assessment's finds the assessment for the release;
/// - `releases_linked_notices`: the pre-release notices that used an assessment found through a
///   link, until an unlink retracts them.
///
/// Both are forgotten on the event clock with what they belong to, and removed by a sealing
/// order with the person's releases and records.
extension ReleaseStore {
    /// Keeps `assessment` as the latest of the subject's record unless a later one is kept.
    func keepLinkedAssessment(_ assessment: EventEnvelope<AssessmentCompleted>, recordId: String, forgetAfterMilliseconds: Int64?) throws {
        try keepLatest(assessment, in: "releases_linked_assessments", keyColumn: "record_id", key: recordId, forgetAfterMilliseconds: forgetAfterMilliseconds)
    }

    /// The latest assessment kept under one of `recordIds` or, when `fbiNumber` is given, under
    /// that FBI number, completed on or before `day` (any day when nil); nil when none. Ties go
    /// to the greater assessment id, as for ``latestAssessment(of:onOrBefore:)``.
    func latestLinkedAssessment(
        records recordIds: Set<String>, fbiNumber: String?, onOrBefore day: String? = nil
    ) throws -> (recordId: String, fbiNumber: String?, assessment: KeptAssessment)? {
        let columns = "record_id, fbi_number, assessment_id, completed_on, risk_level, high_needs"
        let bound = SQLValue.text(day ?? Self.anyDay)
        var rows: [StorageRow] = []
        for recordId in recordIds.sorted() {
            rows += try transaction.fetchAll(
                "SELECT \(columns) FROM releases_assessment_history WHERE record_id = $1 AND completed_on <= $2", [.text(recordId), bound])
        }
        if let fbiNumber {
            rows += try transaction.fetchAll(
                "SELECT \(columns) FROM releases_assessment_history WHERE record_id IS NOT NULL AND fbi_number = $1 AND completed_on <= $2",
                [.text(fbiNumber), bound])
        }
        let found = try rows.map { row in
            (recordId: try row.get("record_id", as: String.self), fbiNumber: try row.get("fbi_number", as: String?.self), assessment: KeptAssessment(
                assessmentId: try row.get("assessment_id"), completedOn: try row.get("completed_on"),
                riskLevel: RiskLevel(rawValue: try row.get("risk_level")) ?? .low, highNeeds: try row.get("high_needs", as: Int64.self) != 0))
        }
        return found.max { ($0.assessment.completedOn, $0.assessment.assessmentId) < ($1.assessment.completedOn, $1.assessment.assessmentId) }
    }

    /// Notes `recordId` as a record of the subject of release `releaseId`, to be forgotten with
    /// the release's latest event.
    func noteRecord(_ recordId: String, ofRelease releaseId: String, forgetAfterMilliseconds: Int64?) throws {
        try transaction.send(
            """
            INSERT INTO releases_subject_records (release_id, record_id, forget_after_ms) VALUES ($1, $2, $3)
            ON CONFLICT (release_id, record_id) DO UPDATE SET forget_after_ms = excluded.forget_after_ms
            """,
            [.text(releaseId), .text(recordId), forgetAfterMilliseconds.map(SQLValue.integer) ?? .null])
    }

    /// The records of the subject of release `releaseId`, ascending.
    func records(ofRelease releaseId: String) throws -> [String] {
        try transaction.fetchAll(
            "SELECT record_id FROM releases_subject_records WHERE release_id = $1 ORDER BY record_id", [.text(releaseId)]
        ).map { try $0.get("record_id") }
    }

    /// The ids of the releases whose subject is one of `recordIds`, ascending.
    func releases(ofRecords recordIds: Set<String>) throws -> [String] {
        var releaseIds = Set<String>()
        for recordId in recordIds {
            for row in try transaction.fetchAll("SELECT release_id FROM releases_subject_records WHERE record_id = $1", [.text(recordId)]) {
                releaseIds.insert(try row.get("release_id"))
            }
        }
        return releaseIds.sorted()
    }

    /// The records a sealing order's numbers lead to: those of the releases the numbers match,
    /// and those of the assessments kept under the order's FBI number.
    func records(matching order: SealingOrder) throws -> Set<String> {
        let rows = try transaction.fetchAll(
            """
            SELECT record_id FROM releases_subject_records WHERE release_id IN (SELECT release_id FROM releases_known WHERE \(Self.person))
            UNION SELECT record_id FROM releases_linked_assessments WHERE fbi_number IS NOT NULL AND fbi_number = $2
            """,
            [.optional(order.stateId), .optional(order.fbiNumber)])
        return Set(try rows.map { try $0.get("record_id", as: String.self) })
    }

    /// Removes the assessments kept under `recordIds` (a sealed person's records, found
    /// through the index's links), and the notices sent through them.
    func removeLinkedAssessments(records recordIds: Set<String>) throws -> SealingTally {
        var tally = SealingTally()
        for recordId in recordIds.sorted() {
            tally.add(try transaction.execute("DELETE FROM releases_linked_assessments WHERE record_id = $1", [.text(recordId)]),
                      from: "releases_linked_assessments")
            tally.add(try transaction.execute("DELETE FROM releases_assessment_history WHERE record_id = $1", [.text(recordId)]),
                      from: "releases_assessment_history")
            tally.add(try transaction.execute("DELETE FROM releases_linked_notices WHERE assessment_record_id = $1", [.text(recordId)]),
                      from: "releases_linked_notices")
        }
        return tally
    }

    // MARK: Notices sent through a link

    /// Keeps a pre-release notice that used an assessment found through a link, so that an
    /// unlink separating the assessment's record from the release's retracts it, once.
    func noteLinkedNotice(_ notification: BusNotification, releaseId: String, assessmentRecordId: String, forgetAfterMilliseconds: Int64?) throws {
        try transaction.send(
            """
            INSERT INTO releases_linked_notices (notification_id, release_id, assessment_record_id, notice, forget_after_ms)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (notification_id) DO NOTHING
            """,
            [.text(notification.id), .text(releaseId), .text(assessmentRecordId), .bytes(try notification.encoded()),
             forgetAfterMilliseconds.map(SQLValue.integer) ?? .null])
    }

    /// The notices sent through a link and not yet retracted, by notification id.
    func openLinkedNotices() throws -> [(releaseId: String, assessmentRecordId: String, notice: BusNotification, forgetAfter: Int64?)] {
        try transaction.fetchAll(
            """
            SELECT release_id, assessment_record_id, notice, forget_after_ms FROM releases_linked_notices
            WHERE retracted = 0 ORDER BY notification_id
            """
        ).map { row in
            (try row.get("release_id"), try row.get("assessment_record_id"), try BusNotification.decode(try row.get("notice", as: [UInt8].self)),
             try row.get("forget_after_ms"))
        }
    }

    /// Whether `notificationId` is a notice sent through a link and retracted since.
    func isRetractedLinkedNotice(_ notificationId: String) throws -> Bool {
        try transaction.fetchOne(
            "SELECT 1 AS found FROM releases_linked_notices WHERE notification_id = $1 AND retracted = 1", [.text(notificationId)]) != nil
    }

    func markLinkedNoticeRetracted(_ notificationId: String) throws {
        try transaction.send("UPDATE releases_linked_notices SET retracted = 1 WHERE notification_id = $1", [.text(notificationId)])
    }
}
