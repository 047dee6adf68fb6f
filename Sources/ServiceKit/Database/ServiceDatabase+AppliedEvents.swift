import Foundation
import GRDB

extension ServiceDatabase {
    /// What recording an applied event id found.
    enum AppliedEventRecord: Equatable {
        /// First time: apply it.
        case new
        /// The same id with the same content (or an id recorded before contents were): a
        /// redelivery, not applied again.
        case duplicate
        /// The same id with other content: another event reusing the id.
        case reused
    }

    /// Records `eventId` as applied with its content hash, to be forgotten after
    /// `forgetAfterMilliseconds` on the stream's clock.
    static func recordApplied(
        _ eventId: String, contentHash: [UInt8], forgetAfterMilliseconds: Int64?, _ db: Database
    ) throws -> AppliedEventRecord {
        try db.cachedExecute(
            sql: "INSERT OR IGNORE INTO kit_applied_events (event_id, content_hash, forget_after_ms) VALUES (?, ?, ?)",
            arguments: [eventId, Data(contentHash), forgetAfterMilliseconds])
        if db.changesCount > 0 { return .new }
        let stored = try Data?.fetchOne(
            db, cached: "SELECT content_hash FROM kit_applied_events WHERE event_id = ?", arguments: [eventId]) ?? nil
        guard let stored else { return .duplicate }
        return stored == Data(contentHash) ? .duplicate : .reused
    }

    /// The newest event time (Kafka timestamp, ms since 1970) the service has seen, if any.
    static func eventClock(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, cached: "SELECT newest_ms FROM kit_event_clock WHERE id = 1")
    }

    /// Moves the stream's clock forward (never back).
    static func advanceEventClock(to milliseconds: Int64, _ db: Database) throws {
        try db.cachedExecute(
            sql: """
                INSERT INTO kit_event_clock (id, newest_ms) VALUES (1, ?)
                ON CONFLICT (id) DO UPDATE SET newest_ms = max(newest_ms, excluded.newest_ms)
                """,
            arguments: [milliseconds])
    }

    /// Forgets at most `limit` applied event ids whose time to be forgotten is before `now` (on
    /// the stream's clock); returns how many. Bounded so that no batch stalls on a large purge.
    static func forgetAppliedEvents(before now: Int64, limit: Int, _ db: Database) throws -> Int {
        try db.cachedExecute(
            sql: """
                DELETE FROM kit_applied_events WHERE event_id IN (
                    SELECT event_id FROM kit_applied_events
                    WHERE forget_after_ms IS NOT NULL AND forget_after_ms < ? LIMIT ?)
                """,
            arguments: [now, limit])
        return db.changesCount
    }

    /// How many applied event ids the service remembers (for tests and operators).
    public func rememberedEventIds() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM kit_applied_events") ?? 0 }
    }
}
