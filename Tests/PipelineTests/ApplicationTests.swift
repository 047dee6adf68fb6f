import Foundation
import Logging
import Pipeline
import ServiceLifecycle
import TestSupport
import Testing

@testable import Kafka

/// The application builder's lifecycle: the shutdown deadline, a failing service, a broker that
/// does not answer.
@Suite struct ApplicationTests {
    /// A service that stops when asked.
    struct PoliteService: Service {
        func run() async throws {
            try? await gracefulShutdown()
        }
    }

    /// A service that ignores graceful shutdown and ends only when cancelled.
    struct StubbornService: Service {
        let running: Observed<Bool>
        func run() async throws {
            running.update { $0 = true }
            try await Task.sleep(for: .seconds(3_600))
        }
    }

    /// A service that fails on its own.
    struct FailingService: Service {
        struct Broken: Error {}
        let started: Observed<Bool>
        func run() async throws {
            started.update { $0 = true }
            throw Broken()
        }
    }

    private func configuration(deadline: Duration = .seconds(30)) -> ApplicationConfiguration {
        ApplicationConfiguration(
            broker: .embedded(brokers: 1), dataDirectory: FileManager.default.temporaryDirectory, services: [], catalog: nil,
            topics: .init(createContractTopics: false), shutdown: .init(deadline: deadline))
    }

    /// Graceful shutdown asks the stubborn service first (services stop in reverse order); it
    /// does not stop, so at the deadline the group is cancelled and `run()` throws, naming it
    /// as the one that did not stop and the others as cancelled before their turn.
    @Test func aServiceIgnoringGracefulShutdownIsCancelledAtTheDeadlineAndNamed() async throws {
        let application = try buildApplication(configuration(deadline: .milliseconds(500)), logger: testLogger)
        let running = Observed(false)
        try application.addService(PoliteService(), named: "polite")
        try application.addService(StubbornService(running: running), named: "stubborn")
        try await within(.seconds(30), "the application to end") {
            let run = Task { try await application.run() }
            await running.wait { $0 }
            let clock = ContinuousClock()
            let start = clock.now
            await application.triggerGracefulShutdown()
            let error = await #expect(throws: ApplicationError.self) { try await run.value }
            let elapsed = clock.now - start
            #expect(elapsed >= .milliseconds(500))
            // Ends, rather than waits for the stubborn service: the bound leaves room for the
            // embedded broker's own teardown on a loaded 2-core machine (seen: 7.9 s).
            #expect(elapsed < .seconds(20), "the group ended \(elapsed) after shutdown began, the deadline being 500 ms")
            guard case .shutdownDeadlineExceeded(let deadline, let notStopped, let cancelledUnasked) = error else {
                Issue.record("expected shutdownDeadlineExceeded, got \(String(describing: error))")
                return
            }
            #expect(deadline == .milliseconds(500))
            #expect(notStopped == ["stubborn"])
            #expect(cancelledUnasked == ["embedded-broker", "polite"])
            #expect(error?.description.contains("stubborn did not stop") == true)
            #expect(application.unfinishedServices.isEmpty)
        }
    }

    /// Well-behaved services stop within the deadline: `run()` returns normally.
    @Test func politeServicesStopWithoutError() async throws {
        let application = try buildApplication(configuration(deadline: .seconds(10)), logger: testLogger)
        try application.addService(PoliteService(), named: "polite")
        try await within(.seconds(30), "the application to end") {
            await application.triggerGracefulShutdown()  // before run: honoured as soon as it starts
            try await application.run()
        }
        #expect(application.unfinishedServices.isEmpty)
    }

    /// A service that fails ends the application with an error naming it, after the others
    /// were shut down gracefully.
    @Test func aFailingServiceIsNamedAndTheOthersStop() async throws {
        let application = try buildApplication(configuration(), logger: testLogger)
        let started = Observed(false)
        try application.addService(PoliteService(), named: "polite")
        try application.addService(FailingService(started: started), named: "failing")
        try await within(.seconds(30), "the application to end") {
            let error = await #expect(throws: ApplicationError.self) { try await application.run() }
            guard case .serviceFailed(let service, let underlying) = error else {
                Issue.record("expected serviceFailed, got \(String(describing: error))")
                return
            }
            #expect(service == "failing")
            #expect(underlying is FailingService.Broken)
        }
        #expect(started.value)
    }

    /// Bounded start: a bootstrap address where nothing listens fails within the connect
    /// timeout, naming the address.
    @Test func aBrokerThatDoesNotAnswerFailsTheStartWithinTheConnectTimeout() async throws {
        let port = try unusedLocalPort()
        let application = try buildApplication(
            ApplicationConfiguration(
                broker: .external(bootstrapServers: ["127.0.0.1:\(port)"]), dataDirectory: FileManager.default.temporaryDirectory,
                services: [], catalog: nil, topics: .init(createContractTopics: false), client: .init(connectTimeout: .seconds(1))),
            logger: testLogger)
        let clock = ContinuousClock()
        let start = clock.now
        try await within(.seconds(30), "the start to fail") {
            let error = await #expect(throws: ApplicationError.self) { try await application.run() }
            guard case .brokerUnreachable(let servers, let timeout, _) = error else {
                Issue.record("expected brokerUnreachable, got \(String(describing: error))")
                return
            }
            #expect(servers == ["127.0.0.1:\(port)"])
            #expect(timeout == .seconds(1))
            #expect(error?.description.contains("no Kafka broker answered at 127.0.0.1:\(port) within 1 s") == true)
        }
        // A guard against the old hang (it never ended), not a timing figure: on a loaded
        // 2-core machine the 1 s request has been seen to end after ~12 s.
        #expect(clock.now - start < .seconds(25))
    }

    @Test func configurationsThatCannotWorkAreRefusedByName() throws {
        var configuration = configuration()
        configuration.broker = .external(bootstrapServers: [])
        #expect { try buildApplication(configuration, logger: testLogger) } throws: { error in
            guard case ApplicationError.invalidConfiguration(let field, _) = error else { return false }
            return field == "broker"
        }
        configuration = self.configuration()
        configuration.services = [.router]
        #expect { try buildApplication(configuration, logger: testLogger) } throws: { error in
            guard case ApplicationError.invalidConfiguration(let field, _) = error else { return false }
            return field == "catalog"
        }
        configuration = self.configuration()
        configuration.personsPopulation = 1
        #expect { try buildApplication(configuration, logger: testLogger) } throws: { error in
            guard case ApplicationError.invalidConfiguration(let field, _) = error else { return false }
            return field == "personsPopulation"
        }
        configuration = self.configuration()
        configuration.personsReviewThreshold = 0.995
        #expect { try buildApplication(configuration, logger: testLogger) } throws: { error in
            guard case ApplicationError.invalidConfiguration(let field, let reason) = error else { return false }
            return field == "personsLinkThreshold" && reason.contains("review threshold")
        }
    }
}
