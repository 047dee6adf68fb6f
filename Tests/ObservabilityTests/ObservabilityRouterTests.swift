import Hummingbird
import HummingbirdTesting
import Metrics
import Observability
import ServiceKit
import Synchronization
import Testing

/// The endpoint's routes, driven without a socket.
@Suite struct ObservabilityRouterTests {
    final class Pending: Sendable {
        let names = Mutex<[String]>([])
    }

    private func application(_ export: MetricsExport = MetricsExport(), readiness: ReadinessCheck = .always) -> some ApplicationProtocol {
        Application(router: buildObservabilityRouter(export: export, readiness: readiness))
    }

    @Test func livenessAnswers200() async throws {
        try await application().test(.router) { client in
            let response = try await client.execute(uri: "/health/live", method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "live\n")
        }
    }

    /// 503 naming what is not ready, until the check reports nothing pending; then 200.
    @Test func readinessFollowsTheCheck() async throws {
        let pending = Pending()
        pending.names.withLock { $0 = ["inbox", "router"] }
        let readiness = ReadinessCheck { pending.names.withLock { $0 } }
        try await application(readiness: readiness).test(.router) { client in
            let before = try await client.execute(uri: "/health/ready", method: .get)
            #expect(before.status == .serviceUnavailable)
            #expect(String(buffer: before.body) == "not ready: inbox, router\n")

            pending.names.withLock { $0 = [] }
            let after = try await client.execute(uri: "/health/ready", method: .get)
            #expect(after.status == .ok)
            #expect(String(buffer: after.body) == "ready\n")
        }
    }

    /// A service that has not joined its group yet keeps the process unready, by name.
    @Test func aServiceThatHasNotJoinedItsGroupIsNotReady() async throws {
        let readiness = ReadinessCheck.servicesJoined(["router": ServiceProgress(), "inbox": ServiceProgress()])
        try await application(readiness: readiness).test(.router) { client in
            let response = try await client.execute(uri: "/health/ready", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(String(buffer: response.body) == "not ready: inbox, router\n")
        }
    }

    /// What was counted through the export's factory is served, in Prometheus' text format.
    @Test func metricsServesTheRegistryInPrometheusTextFormat() async throws {
        let export = MetricsExport()
        withMetricsFactory(export.factory) {
            Counter(label: "reentrybus_test_total", dimensions: [("service", "probe")]).increment(by: 3)
            Gauge(label: "reentrybus_test_depth", dimensions: [("service", "probe")]).record(7)
            Metrics.Timer(label: "reentrybus_batch_commit_seconds", dimensions: [("service", "probe")]).recordMilliseconds(3)
        }
        try await application(export).test(.router) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            let text = String(buffer: response.body)
            #expect(text.contains("# TYPE reentrybus_test_total counter"))
            let samples = prometheusSamples(text)
            #expect(samples.value("reentrybus_test_total", ["service": "probe"]) == 3)
            #expect(samples.value("reentrybus_test_depth", ["service": "probe"]) == 7)
            #expect(samples.value("reentrybus_batch_commit_seconds_count", ["service": "probe"]) == 1)
            // Our buckets for batch commits start below the default 5 ms: 3 ms falls in `le=0.005`, not `le=0.002`.
            #expect(samples.value("reentrybus_batch_commit_seconds_bucket", ["service": "probe", "le": "0.002"]) == 0)
            #expect(samples.value("reentrybus_batch_commit_seconds_bucket", ["service": "probe", "le": "0.005"]) == 1)
        }
    }

    @Test func anotherPathIs404() async throws {
        try await application().test(.router) { client in
            let root = try await client.execute(uri: "/", method: .get)
            #expect(root.status == .notFound)
            let extra = try await client.execute(uri: "/metrics/extra", method: .get)
            #expect(extra.status == .notFound)
        }
    }
}
