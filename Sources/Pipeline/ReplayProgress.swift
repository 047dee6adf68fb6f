import ServiceKit

/// Where a replay stands, for a progress display: what it read into the new state, how far
/// that is along the offsets it must reach, and how fast it goes.
public struct ReplayProgress: Sendable, Equatable {
    public enum Phase: String, Sendable {
        /// Checking the broker and the current state, preparing the new database.
        case starting
        /// Reading the topics from the beginning into the new database.
        case rebuilding
        /// Rebuilt; the service still has its state open. Catching up now and then.
        case waitingForStop = "waiting for the service to stop"
        /// The service stopped: applying what it applied since the rebuild.
        case catchingUp = "catching up"
        /// Swapping the new state in.
        case swapping
        /// The new state replaced the old one.
        case swapped
        /// The replay failed; the old state is as it was.
        case failed
    }

    public var phase: Phase = .starting
    /// Messages read into the new state: applied, read past (types the service does not
    /// read), duplicates and poison messages.
    public var events = 0
    public var applied = 0
    public var deadLettered = 0
    public var duplicates = 0
    /// Transactions the rebuild committed (each up to ``ReplayOptions/eventsPerTransaction`` events).
    public var transactions = 0
    /// Where those transactions spent their time.
    public var stages = BatchStages()
    /// Offsets covered so far, summed over partitions, and the sum to cover (which grows when
    /// the running service applies more before it stops).
    public var offsetsDone: Int64 = 0
    public var offsetsTotal: Int64 = 0
    /// Offsets the reader has reached, summed over partitions: ahead of ``offsetsDone`` by what
    /// waits for the next transaction (up to ``ReplayOptions/eventsPerTransaction`` events,
    /// several seconds on PostgreSQL). The share done and the time left follow it, so that a
    /// display moves while a transaction is gathered, not only when one commits.
    public var offsetsRead: Int64 = 0
    /// Time spent reading, in passes that ended; and since when the pass under way reads.
    /// Rates and the time left are measured on these, not on the time spent waiting.
    public var readTime: Duration = .zero
    public var readingSince: ContinuousClock.Instant?

    public init() {}

    /// Events per second of reading; nil before any.
    public func eventsPerSecond(at now: ContinuousClock.Instant) -> Double? {
        guard let seconds = secondsReading(at: now), seconds > 0 else { return nil }
        return Double(events) / seconds
    }

    /// The share of offsets covered, 0 to 1 (1 when there is nothing to cover).
    public var fraction: Double {
        offsetsTotal > 0 ? min(1, Double(offsetsReached) / Double(offsetsTotal)) : 1
    }

    /// The offsets read or applied, whichever is further.
    private var offsetsReached: Int64 { max(offsetsDone, offsetsRead) }

    /// The time left at the pace so far; nil before there is a pace.
    public func remaining(at now: ContinuousClock.Instant) -> Duration? {
        guard let seconds = secondsReading(at: now), seconds > 0, offsetsReached > 0 else { return nil }
        let left = Double(max(0, offsetsTotal - offsetsReached)) / (Double(offsetsReached) / seconds)
        return .milliseconds(Int64(min(left, 1e9) * 1_000))
    }

    /// One line: `rebuilding: 12,345 events, 3,210 events/s, 45%, ETA 0:38`.
    public func line(at now: ContinuousClock.Instant) -> String {
        var parts = ["\(Self.grouped(events)) events"]
        if let rate = eventsPerSecond(at: now) { parts.append("\(Self.grouped(Int(rate.rounded()))) events/s") }
        if phase != .starting { parts.append("\(Int((fraction * 100).rounded(.down)))%") }
        if phase == .rebuilding || phase == .catchingUp, let left = remaining(at: now) {
            parts.append("ETA \(Self.clock(left))")
        }
        return "\(phase.rawValue): " + parts.joined(separator: ", ")
    }

    private func secondsReading(at now: ContinuousClock.Instant) -> Double? {
        let elapsed = readTime + (readingSince.map { now - $0 } ?? .zero)
        guard elapsed > .zero else { return nil }
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// `12,345`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// `0:38`, `12:05`, `1:02:03`.
    static func clock(_ duration: Duration) -> String {
        let total = max(0, duration.components.seconds)
        let (hours, minutes, seconds) = (total / 3_600, total / 60 % 60, total % 60)
        let twoDigits = { (value: Int64) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(twoDigits(minutes)):\(twoDigits(seconds))" : "\(minutes):\(twoDigits(seconds))"
    }
}
