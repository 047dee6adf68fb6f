import Contracts
import Directory
import Storage
import Timers

/// The feeds service's tables: per agency × topic the count and Kafka timestamps of the events
/// read and the silence an alarm is open for (`feeds`), when each directory agency joined or
/// whether it retired (`feeds_agencies`; the entries themselves are `DirectoryStore`'s), and
/// the latest tick of the bus's clock (`feeds_clock`). The only SQL of the service besides the
/// directory's and the outbox's; every value a bound parameter, the same SQL on SQLite and
/// PostgreSQL.
///
/// Bounded by the agencies and topics, not by time: a feed is one row however long it
/// publishes, so nothing needs forgetting.
public struct FeedsStore {
    let transaction: any StorageTransaction

    public init(_ transaction: any StorageTransaction) { self.transaction = transaction }

    /// The service's tables (with the directory's). Shipped steps are never edited.
    public static let migrations: [StorageMigration] = DirectoryStore.migrations + [
        .script("feeds-v1", """
            CREATE TABLE feeds (
                agency_id TEXT NOT NULL,
                topic TEXT NOT NULL,
                agency_kind TEXT,
                events BIGINT NOT NULL,
                first_event_ms BIGINT,
                last_event_ms BIGINT,
                alarm_since_ms BIGINT,
                PRIMARY KEY (agency_id, topic)
            );
            CREATE TABLE feeds_agencies (
                agency_id TEXT PRIMARY KEY NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('active', 'retired')),
                joined_ms BIGINT
            );
            CREATE TABLE feeds_clock (
                clock TEXT PRIMARY KEY NOT NULL,
                at_ms BIGINT NOT NULL,
                tick_id TEXT NOT NULL
            );
            """),
    ]

    // MARK: Feeds

    /// Counts one event of a feed at `milliseconds` (its Kafka timestamp; nil when it has none:
    /// counted, no time kept) and names the kind its envelope gave. Returns the feed as it was
    /// before (nil for its first event).
    @discardableResult
    public func recordEvent(_ key: FeedKey, agencyKind: String?, at milliseconds: Int64?) throws -> FeedRecord? {
        let before = try record(key)
        let time = milliseconds.map(SQLValue.integer) ?? .null
        try transaction.execute(
            """
            INSERT INTO feeds (agency_id, topic, agency_kind, events, first_event_ms, last_event_ms) VALUES ($1, $2, $3, 1, $4, $4)
            ON CONFLICT (agency_id, topic) DO UPDATE SET
                events = feeds.events + 1,
                agency_kind = COALESCE(excluded.agency_kind, feeds.agency_kind),
                first_event_ms = CASE WHEN feeds.first_event_ms IS NULL OR excluded.first_event_ms < feeds.first_event_ms
                    THEN COALESCE(excluded.first_event_ms, feeds.first_event_ms) ELSE feeds.first_event_ms END,
                last_event_ms = CASE WHEN feeds.last_event_ms IS NULL OR excluded.last_event_ms > feeds.last_event_ms
                    THEN COALESCE(excluded.last_event_ms, feeds.last_event_ms) ELSE feeds.last_event_ms END
            """,
            [.text(key.agencyId), .text(key.topic), agencyKind.map(SQLValue.text) ?? .null, time])
        return before
    }

    /// Records that an alarm was sent for the feed's silence starting at `since` (a feed that
    /// never published gets its row here).
    public func openAlarm(_ key: FeedKey, since: Int64) throws {
        try transaction.execute(
            """
            INSERT INTO feeds (agency_id, topic, events, alarm_since_ms) VALUES ($1, $2, 0, $3)
            ON CONFLICT (agency_id, topic) DO UPDATE SET alarm_since_ms = excluded.alarm_since_ms
            """,
            [.text(key.agencyId), .text(key.topic), .integer(since)])
    }

    /// Records that the all-clear for the feed's open alarm was sent.
    public func closeAlarm(_ key: FeedKey) throws {
        try transaction.execute(
            "UPDATE feeds SET alarm_since_ms = NULL WHERE agency_id = $1 AND topic = $2", [.text(key.agencyId), .text(key.topic)])
    }

    /// One feed's row, nil when it has none.
    public func record(_ key: FeedKey) throws -> FeedRecord? {
        try transaction.fetchOne(
            "\(Self.selectFeeds) WHERE agency_id = $1 AND topic = $2", [.text(key.agencyId), .text(key.topic)]
        ).map(Self.record)
    }

    /// Every feed's row, by agency and topic.
    public func records() throws -> [FeedRecord] {
        try transaction.fetchAll("\(Self.selectFeeds) ORDER BY agency_id, topic").map(Self.record)
    }

    private static let selectFeeds =
        "SELECT agency_id, topic, agency_kind, events, first_event_ms, last_event_ms, alarm_since_ms FROM feeds"

    private static func record(_ row: StorageRow) throws -> FeedRecord {
        FeedRecord(
            key: FeedKey(agencyId: try row.get("agency_id"), topic: try row.get("topic")),
            agencyKind: try row.get("agency_kind"), events: try row.get("events"),
            firstEventMilliseconds: try row.get("first_event_ms"), lastEventMilliseconds: try row.get("last_event_ms"),
            alarmSinceMilliseconds: try row.get("alarm_since_ms"))
    }

    // MARK: Directory agencies

    /// Notes that the directory described `agencyId` at `milliseconds`: an agency not active
    /// before (new, or retired) joins then; an update of an active one keeps its join time.
    public func noteDescribed(_ agencyId: String, at milliseconds: Int64) throws {
        try transaction.execute(
            """
            INSERT INTO feeds_agencies (agency_id, status, joined_ms) VALUES ($1, 'active', $2)
            ON CONFLICT (agency_id) DO UPDATE SET status = 'active',
                joined_ms = CASE WHEN feeds_agencies.status = 'active' THEN feeds_agencies.joined_ms ELSE excluded.joined_ms END
            """,
            [.text(agencyId), .integer(milliseconds)])
    }

    /// Notes that the directory retired `agencyId`: its feeds are no longer expected.
    public func noteRetired(_ agencyId: String) throws {
        try transaction.execute(
            """
            INSERT INTO feeds_agencies (agency_id, status) VALUES ($1, 'retired')
            ON CONFLICT (agency_id) DO UPDATE SET status = 'retired'
            """,
            [.text(agencyId)])
    }

    /// The active directory agencies with their join times, by id.
    public func directoryAgencies() throws -> [String: DirectoryAgency] {
        var joined: [String: Int64] = [:]
        for row in try transaction.fetchAll("SELECT agency_id, joined_ms FROM feeds_agencies WHERE status = 'active'") {
            joined[try row.get("agency_id")] = try row.get("joined_ms", as: Int64?.self)
        }
        var agencies: [String: DirectoryAgency] = [:]
        for (agencyId, entry) in try DirectoryStore(transaction).all().entries {
            // Both tables change in the same transactions, so an active entry has its join time;
            // a database written otherwise counts the agency as joined at the epoch.
            agencies[agencyId] = DirectoryAgency(entry: entry, joinedMilliseconds: joined[agencyId] ?? 0)
        }
        return agencies
    }

    /// Ids of the agencies the directory retired.
    public func retiredAgencies() throws -> Set<String> {
        Set(try transaction.fetchAll("SELECT agency_id FROM feeds_agencies WHERE status = 'retired'").map { try $0.get("agency_id", as: String.self) })
    }

    // MARK: Clock

    /// The instant of the latest tick read (ms since 1970), nil before the first.
    public func latestTick() throws -> Int64? {
        try transaction.fetchOne("SELECT at_ms FROM feeds_clock WHERE clock = $1", [.text(TimerTick.minuteClock)])?.get("at_ms")
    }

    /// Records `tick` as the latest.
    public func advanceClock(to milliseconds: Int64, tickId: String) throws {
        try transaction.execute(
            """
            INSERT INTO feeds_clock (clock, at_ms, tick_id) VALUES ($1, $2, $3)
            ON CONFLICT (clock) DO UPDATE SET at_ms = excluded.at_ms, tick_id = excluded.tick_id
            """,
            [.text(TimerTick.minuteClock), .integer(milliseconds), .text(tickId)])
    }

    // MARK: Coverage

    /// Every feed assessed at the latest tick (see `FeedLiveness.assess`).
    public func coverage(topics: FeedTopics) throws -> FeedCoverage {
        let latest = try latestTick()
        return FeedCoverage(
            latestTickMilliseconds: latest,
            feeds: FeedLiveness.assess(
                topics: topics, agencies: try directoryAgencies(), retired: try retiredAgencies(), records: try records(), at: latest))
    }
}
