import Contracts
import Demo
import Foundation
import GRDB
import Kafka
import Logging
import ServiceKit
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

let testLogger = makeTestLogger("real-broker-tests")

/// Runs `reentrybus` to its end; returns the process (its output and termination).
func runReentrybus(_ arguments: [String], limit: Duration = .seconds(60)) async throws -> ChildProcess {
    let process = try ChildProcess(try reentrybusBinary(), arguments, name: "reentrybus \(arguments.first ?? "")")
    _ = try await within(limit, "reentrybus \(arguments.prefix(2).joined(separator: " ")) to end") { await process.waitForExit() }
    return process
}

/// `reentrybus topics apply` against `broker`, expected to succeed; returns its standard output.
func applyTopics(_ broker: RealBroker) async throws -> String {
    let apply = try await runReentrybus(["topics", "apply", "--bootstrap", broker.bootstrap, "--dir", topicsDirectory.path, "--log-level", "warning"])
    #expect(apply.termination.value == .init(status: 0, bySignal: false), "topics apply: \(apply.lastErrorLines())")
    return apply.output.value
}

/// Client settings for `broker`. Consumers use a 6-second session: Tansu answers a group's first
/// JoinGroup after about half the session timeout.
extension RealBroker {
    func clientConfiguration(_ clientID: String) -> KafkaClientConfiguration {
        KafkaClientConfiguration(bootstrapServers: [bootstrap], clientID: clientID)
    }

    func producerConfiguration() -> KafkaProducerConfiguration {
        KafkaProducerConfiguration(client: clientConfiguration("real-broker-producer"))
    }

    func consumerConfiguration(groupID: String, topics: [String]) -> KafkaConsumerConfiguration {
        KafkaConsumerConfiguration(client: clientConfiguration("real-broker-consumer"), groupID: groupID, topics: topics, sessionTimeout: .seconds(6))
    }

    /// Sends `messages` with our producer, every one acknowledged.
    func produce(_ messages: [KafkaProducerMessage]) async throws {
        let producer = try KafkaProducer(configuration: producerConfiguration(), logger: testLogger)
        for start in stride(from: 0, to: messages.count, by: 5_000) {
            let report = try await producer.sendBatch(Array(messages[start..<min(messages.count, start + 5_000)]))
            #expect(report.allDelivered, "\(report.failures.count) messages not delivered")
        }
        await producer.shutdown()
    }
}

extension ServeProcesses {
    /// `reentrybus serve` processes on `broker`, one data directory and one notification key.
    convenience init(broker: RealBroker, directory: URL) throws {
        let binary = try reentrybusBinary()
        let bootstrap = broker.bootstrap
        let keyFile = try writeNotificationKeyFile(in: directory)
        self.init(binary: binary, directory: directory) { name in
            ["serve", name, "--bootstrap", bootstrap, "--data-dir", directory.path, "--dir", topicsDirectory.path,
             "--notification-key-file", keyFile, "--session-timeout", "6", "--connect-timeout", "20", "--log-level", "warning"]
        }
    }
}
