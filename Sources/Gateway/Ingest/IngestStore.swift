import Foundation
import Storage

/// The gateway's database: the first outcome of every event id it accepted, so that a retry
/// gets that outcome back instead of a second copy on the topic. The only SQL of the gateway.
///
/// Rows are kept for `IngestConfiguration.rememberFor` (default 7 days, well past any client's
/// retry window) and then pruned, at most once per `pruneEvery`, inside an ingest transaction.
public enum IngestStore {
    /// An accepted event as first answered.
    public struct Outcome: Sendable, Hashable {
        public var eventId: String
        /// SHA-256 (hex) of the event's bytes as received: the same id with other bytes is not
        /// a retry.
        public var contentDigest: String
        public var topic: String
        public var agencyId: String
        public var acceptedAtMilliseconds: Int64
    }

    public static let migrations: [StorageMigration] = [
        .script("gateway-v1", sqlite: """
            CREATE TABLE gateway_ingested (
                event_id TEXT NOT NULL PRIMARY KEY,
                content_sha256 TEXT NOT NULL,
                topic TEXT NOT NULL,
                agency_id TEXT NOT NULL,
                accepted_at_ms INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX gateway_ingested_by_time ON gateway_ingested (accepted_at_ms);
            """,
            postgres: """
            CREATE TABLE gateway_ingested (
                event_id TEXT NOT NULL PRIMARY KEY,
                content_sha256 TEXT NOT NULL,
                topic TEXT NOT NULL,
                agency_id TEXT NOT NULL,
                accepted_at_ms BIGINT NOT NULL
            );
            CREATE INDEX gateway_ingested_by_time ON gateway_ingested (accepted_at_ms);
            """),
    ]

    /// The stored outcomes of these ids (lowercase), by id.
    static func outcomes(of eventIds: [String], _ transaction: any StorageTransaction) throws -> [String: Outcome] {
        var found: [String: Outcome] = [:]
        // Chunks keep each statement's parameters well under SQLite's limit.
        for chunk in stride(from: 0, to: eventIds.count, by: 500).map({ Array(eventIds[$0..<min($0 + 500, eventIds.count)]) }) {
            let placeholders = (1...chunk.count).map { "$\($0)" }.joined(separator: ", ")
            let rows = try transaction.fetchAll(
                "SELECT event_id, content_sha256, topic, agency_id, accepted_at_ms FROM gateway_ingested WHERE event_id IN (\(placeholders))",
                chunk.map(SQLValue.text))
            for row in rows {
                let outcome = Outcome(
                    eventId: try row.get("event_id", as: String.self), contentDigest: try row.get("content_sha256", as: String.self),
                    topic: try row.get("topic", as: String.self), agencyId: try row.get("agency_id", as: String.self),
                    acceptedAtMilliseconds: try row.get("accepted_at_ms", as: Int64.self))
                found[outcome.eventId] = outcome
            }
        }
        return found
    }

    /// Records accepted events (an id already there keeps its first outcome), and removes
    /// outcomes accepted before `pruneBefore` when given.
    static func record(_ outcomes: [Outcome], pruneBefore: Int64?, _ transaction: any StorageTransaction) throws {
        for outcome in outcomes {
            _ = try transaction.execute(
                """
                INSERT INTO gateway_ingested (event_id, content_sha256, topic, agency_id, accepted_at_ms)
                VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING
                """,
                [.text(outcome.eventId), .text(outcome.contentDigest), .text(outcome.topic), .text(outcome.agencyId),
                 .integer(outcome.acceptedAtMilliseconds)])
        }
        if let pruneBefore {
            _ = try transaction.execute("DELETE FROM gateway_ingested WHERE accepted_at_ms < $1", [.integer(pruneBefore)])
        }
    }

    /// How many outcomes are kept (tests, metrics).
    public static func count(_ transaction: any StorageTransaction) throws -> Int {
        try transaction.fetchOne("SELECT COUNT(*) AS n FROM gateway_ingested")?.get("n", as: Int.self) ?? 0
    }
}
