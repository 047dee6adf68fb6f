import Contracts
import Foundation
import Kafka
import Pipeline
import Logging
import ServiceKit
import ServiceLifecycle

/// Publishes a `DemoScenario` step by step, each once the service that reads it has handled
/// the one before (flow B is a sequence in time), then waits for shutdown.
public final class DemoPublisher: Service, Sendable {
    let scenario: DemoScenario
    let producer: KafkaProducerConfiguration
    let progress: [ServiceName: ServiceProgress]
    let logger: Logger

    public init(scenario: DemoScenario, producer: KafkaProducerConfiguration, progress: [ServiceName: ServiceProgress], logger: Logger) {
        self.scenario = scenario
        self.producer = producer
        self.progress = progress
        self.logger = logger
    }

    public func run() async throws {
        let producer = try KafkaProducer(configuration: producer, logger: logger)
        do {
            for step in scenario.steps {
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                if step.afterInboxCaughtUp { await inboxCaughtUp() }
                let receipt = try await producer.send(step.event.message)
                logger.info("Demo event published", metadata: ["step": "\(step.name)", "topic": "\(receipt.topicPartition)"])
                if let progress = progress[step.readBy] {
                    let partition = receipt.topicPartition
                    let offset = receipt.offset
                    await progress.wait { $0.nextOffsets[partition].map { $0 > offset } ?? false }
                }
            }
        } catch {
            await producer.shutdown()
            throw error
        }
        await producer.shutdown()
        try? await gracefulShutdown()
    }

    /// Waits until the inbox has read as many notifications as the other services have
    /// delivered (acknowledged by the broker) by now. A notification still in a service's
    /// outbox at that moment is not waited for.
    private func inboxCaughtUp() async {
        guard let inbox = progress[.inbox] else { return }
        let topic = BusTopic.notifications
        let delivered = progress.filter { $0.key != .inbox }.values.reduce(0) { $0 + ($1.snapshot.published[topic] ?? 0) }
        await inbox.wait { $0.consumed(topic) >= Int64(delivered) }
    }
}
