import Foundation
import Synchronization

/// How fast each agency may send events: a token bucket per agency, refilled continuously.
public struct IngestRate: Sendable, Hashable {
    /// Events per second, sustained. Default: 200.
    public var eventsPerSecond: Double
    /// Events at once after a quiet spell (a batch counts each event). Default: 1,000, one
    /// full batch.
    public var burst: Double

    public init(eventsPerSecond: Double = 200, burst: Double = 1_000) {
        self.eventsPerSecond = eventsPerSecond
        self.burst = burst
    }
}

/// The buckets of every agency that sent recently. Bounded: an agency's bucket that is full
/// again is the same as no bucket, so buckets are dropped once full (swept when the table
/// holds more than `maxTrackedAgencies`).
public final class AgencyRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    let rate: IngestRate
    let maxTrackedAgencies = 10_000
    private let buckets = Mutex<[String: Bucket]>([:])
    private let now: @Sendable () -> Date

    /// - Parameter now: the clock (the gateway's; tests pass their own). Time running
    ///   backwards refills nothing.
    public init(rate: IngestRate, now: @escaping @Sendable () -> Date = Date.init) {
        self.rate = rate
        self.now = now
    }

    /// Takes `events` tokens from the agency's bucket: nil when there were enough, otherwise
    /// how many whole seconds until there will be (nothing is taken then). A request larger
    /// than the burst is never admitted: its wait is the burst's refill time, and the caller
    /// should split it.
    public func admit(agency: String, events: Int) -> Int? {
        let instant = now()
        let rate = self.rate
        return buckets.withLock { buckets -> Int? in
            var bucket = buckets[agency] ?? Bucket(tokens: rate.burst, updated: instant)
            let seconds = instant.timeIntervalSince(bucket.updated)
            bucket.tokens = min(rate.burst, bucket.tokens + max(0, seconds) * rate.eventsPerSecond)
            bucket.updated = instant
            let needed = Double(events)
            guard needed <= bucket.tokens else {
                buckets[agency] = bucket
                let missing = min(needed, rate.burst) - bucket.tokens
                return max(1, Int((missing / rate.eventsPerSecond).rounded(.up)))
            }
            bucket.tokens -= needed
            buckets[agency] = bucket
            if buckets.count > maxTrackedAgencies {
                buckets = buckets.filter { entry in
                    let idleSeconds = max(0, instant.timeIntervalSince(entry.value.updated))
                    return entry.value.tokens + idleSeconds * rate.eventsPerSecond < rate.burst
                }
            }
            return nil
        }
    }
}
