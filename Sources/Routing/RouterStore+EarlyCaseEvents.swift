import Contracts
import Kafka
import ServiceKit
import Storage

/// Case events read before their case's start (`router_early_case_events`): an end or an
/// address change of a case the router has not read.
///
/// Kafka orders a case's events only while they share a key. A case started under the FBI
/// number (`supervision.cases` version 2) whose agency learns the state ID and writes on under
/// it (version 1) has its events on two partitions, read in no set order — a replay may read one
/// partition whole before the other. Applied at once, such an end or address change would
/// change nothing (there is no case row to change) and be lost. The router keeps the event
/// instead, applies nothing of it, and applies it (every rule family, as if read then) once the
/// case's start is read, in the order the events were written: the outcome is that of reading
/// them in order. An officer assignment needs none of this (assignments are kept by case and
/// effective time whichever is read first).
///
/// The rows hold the events' bytes, personal data: a sealing order removes them with the
/// person's cases (`RouterStore.removePerson`, `removeListedCases`).
extension RouterStore {
    /// Shipped steps are never edited: changes come as new ones.
    static let earlyCaseEventsMigration = StorageMigration.script("router-v7", """
        CREATE TABLE router_early_case_events (
            event_id TEXT PRIMARY KEY NOT NULL,
            case_id TEXT NOT NULL,
            state_id TEXT,
            fbi_number TEXT,
            topic TEXT NOT NULL,
            partition_id INTEGER NOT NULL,
            kafka_offset BIGINT NOT NULL,
            message_key TEXT NOT NULL,
            event_type TEXT NOT NULL,
            schema_version INTEGER NOT NULL,
            event BYTEA NOT NULL,
            timestamp_ms BIGINT
        );
        CREATE INDEX router_early_case_events_by_case ON router_early_case_events (case_id);
        CREATE INDEX router_early_case_events_by_state_id ON router_early_case_events (state_id);
        CREATE INDEX router_early_case_events_by_fbi ON router_early_case_events (fbi_number);
        """)

    /// Keeps `event`, about case `caseId` whose start has not been read, until it is; once per
    /// event id.
    func keepEarly(_ event: AdmittedEvent, caseId: String, subject: SubjectIdentifiers?) throws {
        try transaction.send(
            """
            INSERT INTO router_early_case_events (event_id, case_id, state_id, fbi_number, topic, partition_id, kafka_offset,
                message_key, event_type, schema_version, event, timestamp_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (event_id) DO NOTHING
            """,
            [.text(event.eventId), .text(caseId), .optional(subject?.stateId), .optional(subject?.fbiNumber),
             .text(event.topicPartition.topic), .integer(Int64(event.topicPartition.partition)), .integer(event.offset.rawValue),
             .text(event.key), .text(event.eventType), .integer(Int64(event.schemaVersion)), .bytes(event.value),
             event.timestampMilliseconds.map(SQLValue.integer) ?? .null])
    }

    /// The events kept for case `caseId` before its start, in the order they were written
    /// (Kafka time, then partition and offset), removed from the table.
    func takeEarlyEvents(of caseId: String) throws -> [AdmittedEvent] {
        let rows = try transaction.fetchAll(
            """
            SELECT event_id, topic, partition_id, kafka_offset, message_key, event_type, schema_version, event, timestamp_ms
            FROM router_early_case_events WHERE case_id = $1 ORDER BY timestamp_ms, topic, partition_id, kafka_offset, event_id
            """,
            [.text(caseId)])
        guard !rows.isEmpty else { return [] }
        try transaction.send("DELETE FROM router_early_case_events WHERE case_id = $1", [.text(caseId)])
        return try rows.map { row in
            AdmittedEvent(
                topicPartition: TopicPartition(topic: try row.get("topic"), partition: Int32(try row.get("partition_id", as: Int64.self))),
                offset: KafkaOffset(try row.get("kafka_offset")), key: try row.get("message_key"), eventType: try row.get("event_type"),
                schemaVersion: Int(try row.get("schema_version", as: Int64.self)), eventId: try row.get("event_id"),
                value: try row.get("event", as: [UInt8].self), timestampMilliseconds: try row.get("timestamp_ms"))
        }
    }
}
