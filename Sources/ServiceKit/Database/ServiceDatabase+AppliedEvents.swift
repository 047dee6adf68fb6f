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

    /// An admitted event to record as applied.
    struct AppliedEvent: Equatable {
        var eventId: String
        var contentHash: [UInt8]
        /// When to forget the id, on the stream's clock.
        var forgetAfterMilliseconds: Int64?
    }

    /// Records a batch's admitted events as applied and says, for each in order, what recording
    /// it found: what recording them one after the other would have found (a later copy of an
    /// id in the same batch is a duplicate or a reuse of the first).
    ///
    /// A statement a few hundred events (`INSERT … RETURNING` the ids it inserted) instead of
    /// one an event: on PostgreSQL each statement is a round trip, and this one was the
    /// commonest statement of every service. Ids already recorded (a redelivery) cost one more
    /// read, for their hashes.
    static func recordApplied(_ events: [AppliedEvent], _ transaction: any StorageTransaction) throws -> [AppliedEventRecord] {
        var firstOf: [String: Int] = [:]
        var firsts: [AppliedEvent] = []
        for event in events where firstOf[event.eventId] == nil {
            firstOf[event.eventId] = firsts.count
            firsts.append(event)
        }
        var inserted = Set<String>()
        for rows in MultiRowStatement.chunks(of: firsts) {
            var arguments: [SQLValue] = []
            arguments.reserveCapacity(rows.count * 3)
            for event in rows {
                arguments += [.text(event.eventId), .bytes(event.contentHash), event.forgetAfterMilliseconds.map(SQLValue.integer) ?? .null]
            }
            for row in try transaction.fetchAll(Self.recordAppliedStatement.sql(rows: rows.count), arguments) {
                inserted.insert(try row.get("event_id", as: String.self))
            }
        }
        // The hash each id held before this batch: nil when recorded before contents were.
        var stored: [String: [UInt8]?] = [:]
        let recordedBefore = firsts.filter { !inserted.contains($0.eventId) }
        for rows in MultiRowStatement.chunks(of: recordedBefore) {
            for row in try transaction.fetchAll(Self.storedHashesStatement.sql(rows: rows.count), rows.map { .text($0.eventId) }) {
                stored[try row.get("event_id", as: String.self)] = try row.get("content_hash", as: [UInt8]?.self)
            }
        }
        var seen = Set<String>()
        return events.map { event in
            let first = seen.insert(event.eventId).inserted
            if first, inserted.contains(event.eventId) { return .new }
            // What the table held when this copy came: the first copy's hash once it was inserted.
            let held = inserted.contains(event.eventId) ? firsts[firstOf[event.eventId] ?? 0].contentHash : stored[event.eventId] ?? nil
            guard let held else { return .duplicate }
            return held == event.contentHash ? .duplicate : .reused
        }
    }

    private static let recordAppliedStatement = MultiRowStatement(
        "INSERT INTO kit_applied_events (event_id, content_hash, forget_after_ms) VALUES ",
        row: { "($\($0), $\($0 + 1), $\($0 + 2))" }, parametersPerRow: 3, " ON CONFLICT (event_id) DO NOTHING RETURNING event_id")

    private static let storedHashesStatement = MultiRowStatement(
        "SELECT event_id, content_hash FROM kit_applied_events WHERE event_id IN (", row: { "$\($0)" }, parametersPerRow: 1, ")")

    /// The newest event time (Kafka timestamp, ms since 1970) the service has seen, if any.
    static func eventClock(_ transaction: any StorageTransaction) throws -> Int64? {
        try transaction.fetchOne("SELECT newest_ms FROM kit_event_clock WHERE id = 1")?.get("newest_ms", as: Int64.self)
    }

    /// Moves the stream's clock forward (never back).
    static func advanceEventClock(to milliseconds: Int64, _ transaction: any StorageTransaction) throws {
        try transaction.send(
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
