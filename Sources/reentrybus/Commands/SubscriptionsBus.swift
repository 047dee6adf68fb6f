import ArgumentParser
import Contracts
import Directory
import Foundation
import Kafka
import Logging
import Settings
import Subscriptions

/// What every `subscriptions` subcommand shares: the cluster (address, security, connect
/// timeout: flag > environment > configuration file > default, as for `publish`), the
/// contracts, logging.
struct SubscriptionsBusOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Kafka bootstrap servers, HOST:PORT[,HOST:PORT…] (else the environment or --config; default localhost:9092).", valueName: "servers"))
    var bootstrap: String?

    @Option(help: ArgumentHelp("Seconds to wait for the broker to answer before giving up (default 30).", valueName: "seconds"))
    var connectTimeout: Int?

    @OptionGroup var contracts: ContractsDirectoryOption
    @OptionGroup var config: ConfigurationOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if let connectTimeout, connectTimeout <= 0 {
            throw ValidationError("--connect-timeout must be a positive number of seconds.")
        }
    }

    /// The settings resolved and the contracts loaded; nothing is contacted yet. A bad setting
    /// exits with status 64.
    func connect(_ command: String) throws -> SubscriptionsBus {
        let settings = try config.resolve(logging: logging) { flags in
            flags.set(.bootstrap, bootstrap, flag: "--bootstrap")
            flags.set(.connectTimeout, connectTimeout.map(Double.init), flag: "--connect-timeout")
        }
        return SubscriptionsBus(
            client: settings.kafkaClient(clientID: "reentrybus-subscriptions"), connectTimeout: settings.connectTimeout,
            validator: EventValidator(catalog: try contracts.loadCatalog()),
            logger: logging.logger("reentrybus.subscriptions.\(command)", settings))
    }
}

/// Why a `subscriptions` subcommand stopped: bad input (status 64: fix the command) or a
/// failure of the cluster (status 1: try again).
struct SubscriptionsFailure: Error, CustomStringConvertible {
    var description: String
    var status: Int32

    static func badInput(_ message: String) -> Self { Self(description: message, status: ExitCode.validationFailure.rawValue) }
    static func failed(_ message: String) -> Self { Self(description: message, status: ExitCode.failure.rawValue) }
}

/// Runs a subcommand's body, printing a `SubscriptionsFailure` as one line on standard error
/// (`reentrybus subscriptions add: …`) and exiting with its status.
func reportingFailures(_ command: String, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as SubscriptionsFailure {
        printError("reentrybus subscriptions \(command): \(failure)")
        throw ExitCode(failure.status)
    }
}

/// A subscription as the topic holds it, with the source of its latest event (who renews or
/// cancels it writes under the same agency).
struct RecordedSubscription {
    var subscription: Subscription
    var source: SourceAgency
}

/// The cluster as the `subscriptions` subcommands use it: the agency directory and the
/// subscriptions, each read in full from its compacted topic (a topic reader: every
/// partition, no consumer group, nothing committed), and one subscription state published
/// with an idempotent producer once it has passed its contract.
struct SubscriptionsBus {
    let client: KafkaClientConfiguration
    let connectTimeout: Duration
    let validator: EventValidator
    let logger: Logger

    /// Every subscription's latest state, by id. Messages that break the contract are skipped,
    /// each named on standard error; a tombstone (empty value) removes its key.
    func subscriptions() async throws -> [String: RecordedSubscription] {
        var found: [String: RecordedSubscription] = [:]
        try await readWholeTopic(BusTopic.subscriptions) { message, key in
            guard !message.payload.isEmpty else {
                found[key] = nil
                return
            }
            let validated = try validate(message)
            let event = try EventCodec.decode(SubscriptionRecorded.self, from: validated.document)
            found[event.payload.subscriptionId] = RecordedSubscription(subscription: try Subscription(event.payload), source: event.source)
        }
        return found
    }

    /// The agency directory: every agency described and not retired since.
    func directory() async throws -> AgencyDirectory {
        var directory = AgencyDirectory()
        try await readWholeTopic(DirectoryStore.topic) { message, key in
            guard !message.payload.isEmpty else {
                directory.retire(key)
                return
            }
            let validated = try validate(message)
            switch validated.eventType {
            case AgencyDescribed.eventType: directory.describe(try EventCodec.decode(AgencyDescribed.self, from: validated.document).payload)
            case AgencyRetired.eventType: directory.retire(try EventCodec.decode(AgencyRetired.self, from: validated.document).payload.agencyId)
            default: break
            }
        }
        return directory
    }

    /// Publishes `subscription`'s state as a `bus.subscription.recorded` event from `source`,
    /// checked against the contract first; returns where the broker stored it.
    ///
    /// - Throws: `SubscriptionsFailure.badInput` when the event breaks the contract (e.g. a
    ///   state ID of the wrong form), naming the field; `.failed` when it is not delivered.
    func publish(_ subscription: Subscription, source: SourceAgency, at moment: Date) async throws -> KafkaDeliveryReceipt {
        let event = EventEnvelope(occurredAt: moment, recordedAt: moment, source: source, subject: nil, payload: subscription.recorded)
        let value = try EventCodec.encode(event)
        let validated: ValidatedEvent
        do {
            validated = try validator.validate(bytes: value, topic: BusTopic.subscriptions)
        } catch {
            throw SubscriptionsFailure.badInput("the subscription breaks its contract (\(BusTopic.subscriptions)): \(error)")
        }
        let producer = try OperatorCluster(
            command: "reentrybus subscriptions", client: client, connectTimeout: connectTimeout, logger: logger).producer()
        do {
            let receipt = try await producer.send(
                topic: BusTopic.subscriptions, key: Array(validated.key.utf8), value: value,
                headers: validated.headers.map { KafkaHeader(key: $0.key, value: Array($0.value.utf8)) })
            await producer.shutdown()
            return receipt
        } catch {
            await producer.shutdown()
            throw SubscriptionsFailure.failed("\(BusTopic.subscriptions) did not store the subscription: \(error); nothing changed")
        }
    }

    // MARK: Reading a topic in full

    /// The message checked against its contract (value, key and headers).
    private func validate(_ message: KafkaConsumerMessage) throws -> ValidatedEvent {
        var headers: [String: String] = [:]
        for header in message.headers {
            if let value = header.value { headers[header.key] = String(decoding: value, as: UTF8.self) }
        }
        return try validator.validateMessage(topic: message.topic, key: message.key, value: message.value, headers: headers)
    }

    /// Reads every partition of `topic` from the beginning to the end it had when reading
    /// started, handing each message (and its key) to `body` in order within its partition. A
    /// message `body` throws on is skipped and named on standard error (its position and why,
    /// never its content). The broker must answer and have the topic within the connect timeout;
    /// the whole read must end within twice that.
    private func readWholeTopic(
        _ topic: String, _ body: (KafkaConsumerMessage, String) throws -> Void
    ) async throws {
        let topics: [String]
        do {
            topics = try await KafkaAdmin(configuration: client, timeout: connectTimeout, logger: logger).listTopics()
        } catch {
            throw SubscriptionsFailure.failed("no Kafka broker answered at \(client.bootstrapServers.joined(separator: ",")): \(error)")
        }
        guard topics.contains(topic) else {
            throw SubscriptionsFailure.failed("the cluster has no topic \(topic); create it with `reentrybus topics apply`")
        }
        let reader: KafkaTopicReader
        do {
            reader = try KafkaTopicReader(
                configuration: KafkaTopicReaderConfiguration(client: client, topics: [topic], partitionDiscoveryInterval: nil),
                logger: logger)
        } catch {
            throw SubscriptionsFailure.failed("cannot read \(topic): \(error)")
        }
        let deadline = connectTimeout * 2
        var skipped = 0
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Caught up: everything the topic held is read; closing ends the batches.
                    do { try await reader.waitUntilCaughtUp() } catch {}
                    await reader.close()
                }
                group.addTask {
                    do {
                        try await Task.sleep(for: deadline)
                    } catch {
                        return  // cancelled: the read ended first
                    }
                    await reader.close()
                }
                for try await batch in reader.batches {
                    for message in batch {
                        let key = message.key.map { String(decoding: $0, as: UTF8.self) } ?? ""
                        do {
                            try body(message, key)
                        } catch {
                            skipped += 1
                            printError("\(topic)[\(message.partition)]@\(message.offset.rawValue): skipped: \(error)")
                        }
                    }
                }
                group.cancelAll()
            }
        } catch {
            await reader.close()
            throw SubscriptionsFailure.failed("reading \(topic) failed: \(error)")
        }
        await reader.close()
        // The batches end when the reader closes: caught up, or stopped by the deadline.
        if !reader.isCaughtUp {
            throw SubscriptionsFailure.failed("reading \(topic) did not reach its end within \(deadline); nothing changed")
        }
        if skipped > 0 { logger.warning("Messages skipped", metadata: ["topic": "\(topic)", "skipped": "\(skipped)"]) }
    }
}

/// `YYYY-MM-DD` (00:00 UTC that day) or an RFC 3339 instant, for `--starts`, `--until`, `--as-of`.
func parseMoment(_ text: String, option: String) throws -> Date {
    if text.count == 10, let day = ViewFormat.dayFormatter().date(from: text) { return day }
    if let instant = EventCodec.parseInstant(text) { return instant }
    throw ValidationError("\(option) \(text) is neither YYYY-MM-DD nor an RFC 3339 time such as 2026-11-30T08:00:00Z.")
}
