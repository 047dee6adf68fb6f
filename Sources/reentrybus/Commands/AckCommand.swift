import ArgumentParser
import Contracts
import Foundation
import Kafka
import Notifications

/// `reentrybus ack ID --by KIND:ID [--note …]`: acknowledges a notification on
/// `bus.notification-acks`. The inbox records it, shows it, and stops the notification's
/// escalation; it refuses (dead-letters) an acknowledgement by someone who is neither the
/// notification's recipient nor a recipient of one of its escalations.
struct Ack: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Acknowledge a notification (an URGENT one is then escalated no further).",
        discussion: """
            ID is the notification's id (`reentrybus inbox RECIPIENT` prints it). --by names who \
            acknowledges, kind:id: the notification's recipient (officer:PP-KC-118) or the recipient of \
            one of its escalations (duty:MO-KCPD, role:MO-KCPD/supervisor). The acknowledgement is \
            checked against its contract, then sent with an idempotent producer; the command returns \
            once the broker stored it. Settings (address, security, connect timeout) as for `publish`: \
            flag > REENTRYBUS_* environment > configuration file > default. A bad ID or --by exits \
            with status 64 naming it; a cluster that does not store it, with status 1.
            """)

    @Argument(help: "The notification's id (a UUID).")
    var id: String

    @Option(help: ArgumentHelp("Who acknowledges, kind:id (officer:PP-KC-118, duty:MO-KCPD).", valueName: "kind:id"))
    var by: String

    @Option(help: ArgumentHelp("What the acknowledger is doing about it (at most 2,000 characters).", valueName: "text"))
    var note: String?

    @Option(help: ArgumentHelp(
        "Kafka bootstrap servers, HOST:PORT[,HOST:PORT…] (else the environment or --config; default localhost:9092).", valueName: "servers"))
    var bootstrap: String?

    @Option(help: ArgumentHelp("Seconds to wait for the broker to answer before giving up (default 30).", valueName: "seconds"))
    var connectTimeout: Int?

    @OptionGroup var contracts: ContractsDirectoryOption
    @OptionGroup var config: ConfigurationOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard UUID(uuidString: id) != nil else {
            throw ValidationError("ID \"\(id)\" is not a notification id (a UUID such as 3f0c1b9e-7a2d-8c41-9e5b-0d7f6a1c2b3e).")
        }
        guard Recipient(by) != nil, !by.contains(where: \.isWhitespace) else {
            let kinds = Recipient.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--by \"\(by)\" is not kind:id with a kind among \(kinds) and a non-empty id, e.g. officer:PP-KC-118.")
        }
        if let note, note.isEmpty || note.count > 2_000 {
            throw ValidationError("--note must have 1 to 2,000 characters.")
        }
        if let connectTimeout, connectTimeout <= 0 {
            throw ValidationError("--connect-timeout must be a positive number of seconds.")
        }
    }

    func run() async throws {
        let settings = try config.resolve(logging: logging) { flags in
            flags.set(.bootstrap, bootstrap, flag: "--bootstrap")
            flags.set(.connectTimeout, connectTimeout.map(Double.init), flag: "--connect-timeout")
        }
        let logger = logging.logger("reentrybus.ack", settings)
        let validator = EventValidator(catalog: try contracts.loadCatalog())
        let ack = NotificationAcknowledgement(notificationId: id, by: Recipient(by)!, at: Date(), note: note)
        let topic = NotificationAcknowledgement.topic
        let headers = [
            EventHeaders.eventType: NotificationAcknowledgement.eventType,
            EventHeaders.schemaVersion: String(ack.schemaVersion),
            EventHeaders.eventId: ack.id, EventHeaders.contentType: EventHeaders.json,
        ]
        do {
            _ = try validator.validateMessage(topic: topic, key: Array(ack.notificationId.utf8), value: ack.encoded(), headers: headers)
        } catch {
            printError("reentrybus ack: the acknowledgement breaks its contract (\(topic)): \(error)")
            throw ExitCode.validationFailure
        }
        let cluster = OperatorCluster(
            command: "reentrybus ack", client: settings.kafkaClient(clientID: "reentrybus-ack"), connectTimeout: settings.connectTimeout,
            logger: logger)
        try await cluster.requireTopic(topic)
        try await cluster.send("the acknowledgement", topic: topic, key: Array(ack.notificationId.utf8), value: ack.encoded(), headers: headers)
        print("acknowledged \(ack.notificationId) by \(ack.by) at \(EventCodec.formatInstant(ack.at)) (acknowledgement \(ack.id))")
    }
}
