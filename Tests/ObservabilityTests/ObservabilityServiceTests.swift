import Observability
import ServiceLifecycle
import TestSupport
import Testing

/// The endpoint as a service on a real socket: it listens where configured, answers, stops on
/// graceful shutdown, and says which address it could not bind.
@Suite struct ObservabilityServiceTests {
    @Test func servesOnTheConfiguredAddressAndStopsOnGracefulShutdown() async throws {
        let listening = Observed<ListenAddress?>(nil)
        let service = ObservabilityService(
            configuration: .init(address: try ListenAddress(parsing: "127.0.0.1:0")), export: MetricsExport(), readiness: .always,
            logger: testLogger, onListening: { address in listening.update { $0 = address } })
        let group = ServiceGroup(services: [service], logger: testLogger)
        try await within(.seconds(30), "the endpoint to serve and stop") {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                await listening.wait { $0 != nil }
                let address = try #require(listening.value)
                #expect(address.host == "127.0.0.1")
                #expect(address.port > 0)

                let live = try await get("/health/live", port: address.port)
                #expect(live.status == 200)
                #expect(live.body == "live\n")
                let metrics = try await get("/metrics", port: address.port)
                #expect(metrics.status == 200)
                #expect(metrics.contentType == MetricsExport.contentType)

                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()  // run() returned without an error
            }
        }
    }

    /// A second endpoint on a port in use fails with the typed error naming the address.
    @Test func anAddressInUseIsATypedErrorNamingIt() async throws {
        let listening = Observed<ListenAddress?>(nil)
        let first = ObservabilityService(
            configuration: .init(address: try ListenAddress(parsing: "127.0.0.1:0")), export: MetricsExport(), readiness: .always,
            logger: testLogger, onListening: { address in listening.update { $0 = address } })
        let group = ServiceGroup(services: [first], logger: testLogger)
        try await within(.seconds(30), "the second endpoint to fail") {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                await listening.wait { $0 != nil }
                let taken = try #require(listening.value)

                let second = ObservabilityService(
                    configuration: .init(address: taken), export: MetricsExport(), readiness: .always, logger: testLogger)
                let error = await #expect(throws: ObservabilityError.self) { try await second.run() }
                if case .listenFailed(let address, _) = error {
                    #expect(address == "127.0.0.1:\(taken.port)")
                } else {
                    Issue.record("expected listenFailed, got \(String(describing: error))")
                }
                #expect(error?.description.contains("could not listen for metrics and health checks on 127.0.0.1:\(taken.port)") == true)

                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
}
