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
}
