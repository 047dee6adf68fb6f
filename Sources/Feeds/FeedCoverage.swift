import Contracts
import Foundation

/// The coverage map: every feed worth a row, assessed at the latest tick the feeds service read
/// (what `reentrybus feeds` prints).
public struct FeedCoverage: Sendable, Hashable {
    /// The instant of the latest tick (ms since 1970); nil before the first.
    public var latestTickMilliseconds: Int64?
    public var feeds: [FeedAssessment]

    public init(latestTickMilliseconds: Int64?, feeds: [FeedAssessment]) {
        self.latestTickMilliseconds = latestTickMilliseconds
        self.feeds = feeds
    }

    /// The map as rows for people and machines.
    public var rows: [Row] { feeds.map { Row($0, at: latestTickMilliseconds) } }

    /// One feed of the map, in printable values.
    public struct Row: Sendable, Hashable, Codable {
        public var agencyId: String
        public var agencyName: String?
        public var agencyKind: String?
        /// `active`, `retired`, or absent (never in the directory).
        public var directory: String?
        public var topic: String
        public var events: Int
        /// The latest event's Kafka timestamp, RFC 3339.
        public var lastEventAt: String?
        /// Minutes from the latest event to the latest tick.
        public var lastEventAgeMinutes: Int64?
        public var expected: Bool
        public var cadenceMinutes: Int
        /// `ok`, `silent`, `never-published`, `not-expected` or `no-tick-yet`.
        public var status: String
        /// For `silent` and `never-published`: since when (the latest event, or when the agency joined).
        public var silentSince: String?
        /// Whether an alarm was sent for the current silence and no event has ended it.
        public var alarmOpen: Bool

        init(_ feed: FeedAssessment, at now: Int64?) {
            agencyId = feed.key.agencyId
            agencyName = feed.agencyName
            agencyKind = feed.agencyKind
            directory = feed.directoryStatus
            topic = feed.key.topic
            events = feed.record?.events ?? 0
            let last = feed.record?.lastEventMilliseconds
            lastEventAt = last.map(Self.instant)
            lastEventAgeMinutes = last.flatMap { last in now.map { ($0 - last) / 60_000 } }
            expected = feed.expected
            cadenceMinutes = feed.cadenceMinutes
            switch feed.status {
            case .ok: status = "ok"
            case .silent(let since):
                status = "silent"
                silentSince = Self.instant(since)
            case .neverPublished(let since, _):
                status = "never-published"
                silentSince = Self.instant(since)
            case .notExpected: status = "not-expected"
            case .noTickYet: status = "no-tick-yet"
            }
            alarmOpen = feed.record?.alarmSinceMilliseconds != nil
        }

        /// The status in words: `ok`, `silent since …`, `never published (since …)`, `not expected`.
        public var statusText: String {
            switch status {
            case "silent": "silent since \(silentSince ?? "?")"
            case "never-published": "never published (expected since \(silentSince ?? "?"))"
            case "not-expected": directory == "retired" ? "not expected (retired)" : "not expected"
            case "no-tick-yet": "no tick yet"
            default: status
            }
        }

        public static func instant(_ milliseconds: Int64) -> String {
            EventCodec.formatInstant(Date(timeIntervalSince1970: Double(milliseconds) / 1000))
        }
    }
}
