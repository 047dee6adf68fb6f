import Storage

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
        _ eventId: String, contentHash: [UInt8], forgetAfterMilliseconds: Int64?, _ transaction: any StorageTransaction
    ) throws -> AppliedEventRecord {
        let inserted = try transaction.execute(
            "INSERT INTO kit_applied_events (event_id, content_hash, forget_after_ms) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING",
            [.text(eventId), .bytes(contentHash), forgetAfterMilliseconds.map(SQLValue.integer) ?? .null])
        if inserted > 0 { return .new }
        let stored = try transaction.fetchOne("SELECT content_hash FROM kit_applied_events WHERE event_id = $1", [.text(eventId)])
        guard let hash = try stored?.get("content_hash", as: [UInt8]?.self) else { return .duplicate }
        return hash == contentHash ? .duplicate : .reused
    }

    /// The newest event time (Kafka timestamp, ms since 1970) the service has seen, if any.
    static func eventClock(_ transaction: any StorageTransaction) throws -> Int64? {
        try transaction.fetchOne("SELECT newest_ms FROM kit_event_clock WHERE id = 1")?.get("newest_ms", as: Int64.self)
    }

    /// Moves the stream's clock forward (never back).
    static func advanceEventClock(to milliseconds: Int64, _ transaction: any StorageTransaction) throws {
        try transaction.execute(
            """
            INSERT INTO kit_event_clock (id, newest_ms) VALUES (1, $1)
            ON CONFLICT (id) DO UPDATE SET newest_ms = excluded.newest_ms WHERE excluded.newest_ms > kit_event_clock.newest_ms
            """,
            [.integer(milliseconds)])
    }

    /// Forgets at most `limit` applied event ids whose time to be forgotten is before `now` (on
    /// the stream's clock); returns how many. Bounded so that no batch stalls on a large purge.
    static func forgetAppliedEvents(before now: Int64, limit: Int, _ transaction: any StorageTransaction) throws -> Int {
        try transaction.execute(
            """
            DELETE FROM kit_applied_events WHERE event_id IN (
                SELECT event_id FROM kit_applied_events
                WHERE forget_after_ms IS NOT NULL AND forget_after_ms < $1 LIMIT $2)
            """,
            [.integer(now), .integer(Int64(limit))])
    }

    /// How many applied event ids the service remembers (for tests and operators).
    public func rememberedEventIds() async throws -> Int {
        try await read { try $0.fetchOne("SELECT count(*) AS n FROM kit_applied_events")?.get("n", as: Int.self) ?? 0 }
    }
}
