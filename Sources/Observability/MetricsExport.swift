import Metrics
import Prometheus

/// The process's metrics in Prometheus' text format: a collector registry and the
/// swift-metrics factory that fills it.
///
/// swift-metrics has one backend per process, set once: the executable calls
/// `MetricsSystem.bootstrap(export.factory)` before it builds anything that makes metrics
/// (a metric made before the bootstrap stays a no-op for its whole life). Tests do not
/// bootstrap: they make their own export and bind its factory to the task with
/// `withMetricsFactory(export.factory) { … }` while they build the services, so tests running
/// in parallel each see only their own metrics.
public struct MetricsExport: Sendable {
    /// The media type of `render()`: Prometheus' text exposition format 0.0.4.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Where the metrics live.
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics backend writing into `registry`, with bucket choices for our timers.
    public let factory: PrometheusMetricsFactory

    /// A fresh registry unless one is given (never `PrometheusMetricsFactory.defaultRegistry`,
    /// a process-wide value).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        // A batch's transaction takes milliseconds (SQLite, one commit); the default buckets
        // start at 5 ms, which would put most batches in the first bucket.
        factory.durationHistogramBuckets["reentrybus_batch_commit_seconds"] = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .milliseconds(2_500), .seconds(5),
        ]
        self.factory = factory
    }

    /// Every metric, in Prometheus' text format (`contentType`).
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}
