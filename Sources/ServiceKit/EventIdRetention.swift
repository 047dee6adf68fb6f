/// How long a service remembers the ids of the events it applied, per source topic.
///
/// An id is remembered so that the same event written twice (a producer's retry) is applied
/// once, and so that another event reusing the id is caught. Once the broker can no longer
/// redeliver an event (the topic's retention has passed since the event's time), its id need
/// not be remembered: the window is the source topic's retention. Time here is the stream's own
/// clock (the newest Kafka timestamp the service has read), never the wall clock, so a replay
/// forgets exactly as the first run did.
///
/// Kafka deletes by the broker's clock against the same timestamps; a producer that stamps
/// messages far in the future would move the stream's clock early, so production topics should
/// bound that with the topic config `message.timestamp.difference.max.ms`.
public struct EventIdRetention: Sendable, Equatable {
    /// Retention per topic. Topics kept forever should be given a finite window here: ids of
    /// events written twice are close in time, and offsets already stop the redelivery of what
    /// was consumed.
    public var byTopic: [String: Duration]
    /// For topics not listed. Default: 7 days (Kafka's default `retention.ms`).
    public var `default`: Duration

    public init(byTopic: [String: Duration] = [:], default: Duration = .seconds(7 * 86_400)) {
        self.byTopic = byTopic
        self.default = `default`
    }

    /// When, on the stream's clock, an event of `topic` at `eventTime` (ms) may be forgotten.
    func forgetAfter(eventTime: Int64, topic: String) -> Int64 {
        let window = byTopic[topic] ?? self.default
        let (seconds, attoseconds) = window.components
        let milliseconds = seconds.multipliedReportingOverflow(by: 1_000)
        guard !milliseconds.overflow else { return .max }
        let (sum, overflow) = eventTime.addingReportingOverflow(milliseconds.partialValue + attoseconds / 1_000_000_000_000_000)
        return overflow ? .max : sum
    }
}
