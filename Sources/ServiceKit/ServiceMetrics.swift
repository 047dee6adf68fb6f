import Metrics
import Synchronization

/// A service's metrics (swift-metrics; exported by whatever backend the process bootstraps).
/// Labels are bounded: the service's name, and event types, which come from the contracts
/// (a type not in the contract is dead-lettered before it is counted as skipped).
final class ServiceMetrics: Sendable {
    let service: String
    let deadLetters: Counter
    let duplicates: Counter
    let reusedIds: Counter
    let outboxFailures: Counter
    let offsetStoreFailures: Counter
    let storageReadFailures: Counter
    private let skippedByType = Mutex<[String: Counter]>([:])

    init(service: String) {
        self.service = service
        let dimensions = [("service", service)]
        deadLetters = Counter(label: "reentrybus_dead_letters_total", dimensions: dimensions)
        duplicates = Counter(label: "reentrybus_duplicate_events_total", dimensions: dimensions)
        reusedIds = Counter(label: "reentrybus_event_id_reused_total", dimensions: dimensions)
        outboxFailures = Counter(label: "reentrybus_outbox_failed_total", dimensions: dimensions)
        offsetStoreFailures = Counter(label: "reentrybus_offset_store_failures_total", dimensions: dimensions)
        storageReadFailures = Counter(label: "reentrybus_storage_read_failures_total", dimensions: dimensions)
    }

    /// Events of `eventType` read past because the service does not need them.
    func skipped(_ eventType: String) -> Counter {
        skippedByType.withLock { counters in
            if let counter = counters[eventType] { return counter }
            let counter = Counter(label: "reentrybus_events_skipped_total", dimensions: [("service", service), ("event_type", eventType)])
            counters[eventType] = counter
            return counter
        }
    }
}
