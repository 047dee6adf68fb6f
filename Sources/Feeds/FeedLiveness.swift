import Contracts

/// One feed: what one agency publishes to one topic.
public struct FeedKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var agencyId: String
    public var topic: String

    public init(agencyId: String, topic: String) {
        self.agencyId = agencyId
        self.topic = topic
    }

    public static func < (lhs: FeedKey, rhs: FeedKey) -> Bool { (lhs.agencyId, lhs.topic) < (rhs.agencyId, rhs.topic) }
    public var description: String { "\(agencyId) × \(topic)" }
}

/// What the feeds service keeps of a feed that has published (or was alarmed before its first
/// event): its events' count and Kafka timestamps, and the silence an alarm is open for.
public struct FeedRecord: Sendable, Hashable, Codable {
    public var key: FeedKey
    /// The agency kind the feed's latest event named in its envelope (`source.agencyKind`).
    public var agencyKind: String?
    public var events: Int
    /// Kafka timestamps (ms since 1970) of the earliest and latest events read; nil before the first.
    public var firstEventMilliseconds: Int64?
    public var lastEventMilliseconds: Int64?
    /// The start of the silence an alarm was sent for and no event has ended yet; nil when none.
    public var alarmSinceMilliseconds: Int64?

    public init(
        key: FeedKey, agencyKind: String?, events: Int, firstEventMilliseconds: Int64?, lastEventMilliseconds: Int64?,
        alarmSinceMilliseconds: Int64?
    ) {
        self.key = key
        self.agencyKind = agencyKind
        self.events = events
        self.firstEventMilliseconds = firstEventMilliseconds
        self.lastEventMilliseconds = lastEventMilliseconds
        self.alarmSinceMilliseconds = alarmSinceMilliseconds
    }
}

/// An agency of the directory as liveness reads it: its entry, and when it joined (the Kafka
/// timestamp of the entry that made it active), from which a feed that never published is
/// silent.
public struct DirectoryAgency: Sendable, Hashable {
    public var entry: AgencyDescribed
    public var joinedMilliseconds: Int64

    public init(entry: AgencyDescribed, joinedMilliseconds: Int64) {
        self.entry = entry
        self.joinedMilliseconds = joinedMilliseconds
    }
}

/// Where a feed stands at a tick.
public enum FeedStatus: Sendable, Hashable {
    /// It published within twice its cadence.
    case ok
    /// Its latest event is older than twice its cadence: silent since then.
    case silent(sinceMilliseconds: Int64)
    /// Expected, but no event yet: since the agency joined the directory; `overdue` once that is
    /// longer ago than twice the cadence (then it is alarmed like a silent feed).
    case neverPublished(sinceMilliseconds: Int64, overdue: Bool)
    /// The agency's kind does not publish to the topic (per its contract), or the agency retired.
    case notExpected
    /// No tick has been read yet: nothing can be judged.
    case noTickYet
}

/// One row of the coverage map: a feed, what is expected of it and where it stands.
public struct FeedAssessment: Sendable, Hashable {
    public var key: FeedKey
    /// The agency's kind: the directory's, else the one its events name.
    public var agencyKind: String?
    /// The directory's name of the agency, when it is there.
    public var agencyName: String?
    /// `active`, `retired` or nil (never in the directory).
    public var directoryStatus: String?
    public var expected: Bool
    /// The expected cadence in minutes (the directory's override or the default for the kind).
    public var cadenceMinutes: Int
    /// What the feeds service read (nil for a feed that never published and was never alarmed).
    public var record: FeedRecord?
    /// Since when the feed counts as quiet: its latest event, else when the agency joined.
    public var quietSinceMilliseconds: Int64?
    public var status: FeedStatus

    /// The start of the silence to alarm for, when the feed is overdue and no alarm is open for
    /// that silence; nil otherwise.
    public var silenceToAlarm: Int64? {
        let since: Int64
        switch status {
        case .silent(let start): since = start
        case .neverPublished(let start, true): since = start
        default: return nil
        }
        return record?.alarmSinceMilliseconds == since ? nil : since
    }
}

/// Feed liveness as plain functions: no storage, no clock (the tick's instant is "now").
public enum FeedLiveness {
    /// Whether a feed quiet since `quietSince` is silent at `now`: for more than twice its
    /// cadence (exactly twice is not yet).
    public static func isSilent(quietSinceMilliseconds quietSince: Int64, cadenceMinutes: Int, at now: Int64) -> Bool {
        now - quietSince > 2 * Int64(cadenceMinutes) * 60_000
    }

    /// Every feed worth a row, assessed at `now` (nil: no tick yet), sorted by agency and topic:
    /// - each active directory agency on each topic whose contract lists its kind among the
    ///   producers (expected, whether it published or not);
    /// - each feed that published (or was alarmed): expected when its agency is active in the
    ///   directory with a producing kind, or is not in the directory and its events name a
    ///   producing kind; not expected otherwise (a retired agency, a kind the contract does not
    ///   list).
    ///
    /// - Parameters:
    ///   - agencies: the active directory agencies, by id.
    ///   - retired: ids of agencies the directory retired.
    public static func assess(
        topics: FeedTopics, agencies: [String: DirectoryAgency], retired: Set<String>, records: [FeedRecord], at now: Int64?
    ) -> [FeedAssessment] {
        var byKey: [FeedKey: FeedRecord] = [:]
        for record in records { byKey[record.key] = record }
        var keys = Set(byKey.keys)
        for (agencyId, agency) in agencies {
            for topic in topics.names where topics.isProduced(topic, by: agency.entry.kind) {
                keys.insert(FeedKey(agencyId: agencyId, topic: topic))
            }
        }
        return keys.sorted().map { key in
            assess(key, topics: topics, agency: agencies[key.agencyId], retired: retired.contains(key.agencyId), record: byKey[key], at: now)
        }
    }

    /// One feed at `now` (see ``assess(topics:agencies:retired:records:at:)``).
    public static func assess(
        _ key: FeedKey, topics: FeedTopics, agency: DirectoryAgency?, retired: Bool, record: FeedRecord?, at now: Int64?
    ) -> FeedAssessment {
        let kind: AgencyKind? = agency?.entry.kind ?? record?.agencyKind.flatMap(AgencyKind.init(rawValue:))
        let expected = !retired && topics.isProduced(key.topic, by: kind)
        let cadence = FeedCadences.minutes(kind: kind, topic: key.topic, overrides: agency?.entry.feedCadences)
        let quietSince = record?.lastEventMilliseconds ?? agency?.joinedMilliseconds
        let status: FeedStatus
        if !expected {
            status = .notExpected
        } else if let now, let quietSince {
            let silent = isSilent(quietSinceMilliseconds: quietSince, cadenceMinutes: cadence, at: now)
            if record?.lastEventMilliseconds == nil {
                status = .neverPublished(sinceMilliseconds: quietSince, overdue: silent)
            } else {
                status = silent ? .silent(sinceMilliseconds: quietSince) : .ok
            }
        } else {
            status = .noTickYet
        }
        return FeedAssessment(
            key: key, agencyKind: kind?.rawValue ?? record?.agencyKind, agencyName: agency?.entry.name,
            directoryStatus: agency != nil ? "active" : (retired ? "retired" : nil), expected: expected, cadenceMinutes: cadence,
            record: record, quietSinceMilliseconds: quietSince, status: status)
    }

    /// Whether an event of the feed at `eventMilliseconds` ends the silence an alarm is open for
    /// (`record` as it was before the event): any event after the silence's start does, and the
    /// first event of a feed that had none.
    public static func endsSilence(_ record: FeedRecord?, eventMilliseconds: Int64) -> Bool {
        guard let record, let since = record.alarmSinceMilliseconds else { return false }
        return eventMilliseconds > since || record.lastEventMilliseconds == nil
    }
}
