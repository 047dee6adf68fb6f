import ArgumentParser
import Kafka
import Logging

/// The cluster as an operator's one-shot command uses it (`ack`, `audit publish`,
/// `subscriptions add|renew|cancel`): check that the topic it writes exists before anything is
/// sent, then one idempotent producer whose sends give up after the connect timeout.
struct OperatorCluster {
    /// How the command names itself on standard error (`reentrybus ack`).
    let command: String
    let client: KafkaClientConfiguration
    let connectTimeout: Duration
    let logger: Logger

    /// Returns when the cluster answers and has `topic`; otherwise prints one line naming the
    /// broker or the missing topic and exits with status 1.
    func requireTopic(_ topic: String) async throws {
        do {
            let topics = try await KafkaAdmin(configuration: client, timeout: connectTimeout, logger: logger).listTopics()
            guard topics.contains(topic) else {
                printError("\(command): the cluster has no topic \(topic); create it with `reentrybus topics apply`")
                throw ExitCode.failure
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("\(command): no Kafka broker answered at \(client.bootstrapServers.joined(separator: ",")): \(error)")
            throw ExitCode.failure
        }
    }

    /// Sends one message with a ``producer()`` of its own and returns once the broker stored
    /// it; otherwise prints one line naming `what` was not stored and exits with status 1.
    func send(_ what: String, topic: String, key: [UInt8], value: [UInt8], headers: [String: String]) async throws {
        let producer = try producer()
        do {
            _ = try await producer.send(
                topic: topic, key: key, value: value, headers: headers.sorted { $0.key < $1.key }.map { KafkaHeader(key: $0.key, value: $0.value) })
        } catch {
            await producer.shutdown()
            printError("\(command): \(topic) did not store \(what): \(error)")
            throw ExitCode.failure
        }
        await producer.shutdown()
    }

    /// Idempotent (the default): a retry after a lost acknowledgement is not stored twice. A send
    /// not acknowledged within the connect timeout (at least a second) fails.
    func producer() throws -> KafkaProducer {
        try KafkaProducer(
            configuration: KafkaProducerConfiguration(client: client, deliveryTimeout: max(connectTimeout, .seconds(1))), logger: logger)
    }
}
