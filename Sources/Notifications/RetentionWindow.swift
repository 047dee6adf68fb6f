import Contracts

/// How long a service remembers what it derived from a topic's events: as long as the broker
/// can redeliver them, that is the topic's retention (`TopicContract.retention`). What the
/// broker no longer holds cannot come back, so need not be remembered.
///
/// Time is measured by the events, never the wall clock: a row derived from an event with Kafka
/// timestamp `t` may be forgotten once the service applies an event whose timestamp is after
/// `t + window`. A replay applies the same events with the same timestamps, so it forgets the
/// same rows. Kafka deletes whole log segments, so a broker can hold a message somewhat longer
/// than the retention (up to `segment.ms`); a redelivery in that margin is still recognised by
/// the receiver, which keeps one copy per notification id.
public struct RetentionWindow: Sendable, Hashable, CustomStringConvertible {
    /// The window in milliseconds (never negative).
    public var milliseconds: Int64

    public init(milliseconds: Int64) {
        self.milliseconds = max(0, milliseconds)
    }

    /// `duration` rounded down to the millisecond; a negative one counts as zero.
    public init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(milliseconds: seconds * 1_000 + attoseconds / 1_000_000_000_000_000)
    }

    /// The window of a topic's retention; nil when the topic keeps its messages forever.
    public init?(_ retention: TopicContract.Retention) {
        switch retention {
        case .forever: return nil
        case .milliseconds(let milliseconds): self.init(milliseconds: milliseconds)
        }
    }

    public static func days(_ days: Int64) -> RetentionWindow { RetentionWindow(milliseconds: days * 86_400_000) }

    /// When a row derived from an event with Kafka timestamp `timestampMilliseconds` may be
    /// forgotten; nil (kept) when the event had no timestamp.
    public func forgetAfter(_ timestampMilliseconds: Int64?) -> Int64? {
        timestampMilliseconds.map { $0 + milliseconds }
    }

    public var description: String { TopicContract.Retention.milliseconds(milliseconds).description }
}
