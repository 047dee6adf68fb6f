import Contracts
import Directory
import Gateway
import Foundation
import GRDB
import Kafka
import Logging
import Notifications
import PersonIndexStore
import Pipeline

@testable import ServiceKit

/// One thing a Kafka user may do: an ACL operation (`Read`) on a resource (`topic:NAME`,
/// `group:NAME`, `transactional-id:NAME`, `cluster`), spelled as deploy/kafka/acls.conf spells it.
struct KafkaPermission: Hashable, Comparable, CustomStringConvertible {
    var operation: String
    var resource: String

    static func < (lhs: Self, rhs: Self) -> Bool { (lhs.resource, lhs.operation) < (rhs.resource, rhs.operation) }
    var description: String { "\(operation) on \(resource)" }
}

/// deploy/kafka/acls.conf: `USER OPERATIONS RESOURCE...` per line, `#` comments.
struct KafkaGrantFile {
    /// Each user's permissions, every line of theirs together.
    var permissions: [String: Set<KafkaPermission>]

    init(text: String, file: String) throws {
        var permissions: [String: Set<KafkaPermission>] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let words = (line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                .split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard !words.isEmpty else { continue }
            guard words.count >= 3 else { throw ComposeFileError(path: "\(file):\(index + 1)", reason: "expected USER OPERATIONS RESOURCE...") }
            for operation in words[1].split(separator: ",") {
                for resource in words[2...] {
                    permissions[words[0], default: []].insert(KafkaPermission(operation: String(operation), resource: resource))
                }
            }
        }
        self.permissions = permissions
    }
}

/// What each Kafka client of docker-compose.yml needs, read from the code that runs it.
enum KafkaNeeds {
    /// A bus service: Read and Describe on the topics its consumer reads and the reference
    /// topics it reads in full (together, its projection's), and on its consumer group; Write and Describe on what it writes: the dead-letter topic it is
    /// configured with, `bus.notifications` when it sends notifications (it keeps
    /// `NotificationOutbox`'s table, through which every notification is sent), and the topics
    /// its projection says it produces (`producedTopics`); IdempotentWrite
    /// on the cluster when its producer is idempotent; Write and Describe on its transactional
    /// id when it has one.
    static func service(_ name: ServiceName, groupPrefix: String, catalog: TopicCatalog) throws -> Set<KafkaPermission> {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deployment-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Nothing connects until run(): the address is never dialled.
        var configuration = ApplicationConfiguration(
            broker: .external(bootstrapServers: ["127.0.0.1:9"]), dataDirectory: directory, services: [name], catalog: catalog,
            topics: .init(createContractTopics: false), client: .init(groupPrefix: groupPrefix))
        if name == .gateway {
            // The key set is only checked for its shape here; nothing listens.
            configuration.gateway = GatewayConfiguration(authentication: AuthenticationConfiguration(
                jwks: #"{"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","kid":"k","x":"x","y":"y"}]}"#, issuer: "i", audience: "a"))
        }
        let application = try buildApplication(configuration, logger: Logger(label: "deployment-tests"))
        if let gateway = application.gateway {
            // It writes the agency events it ingests and acknowledgements; it reads no topic.
            var needs = Set(gateway.writtenTopics.flatMap { topic in
                ["Write", "Describe"].map { KafkaPermission(operation: $0, resource: "topic:\(topic)") }
            })
            if gateway.producerConfiguration.idempotent {
                needs.insert(KafkaPermission(operation: "IdempotentWrite", resource: "cluster"))
            }
            return needs
        }
        if let scheduler = application.scheduler {
            // It writes the ticks and nothing else: no group, no topic read, no dead letters.
            var needs = Set(["Write", "Describe"].map { KafkaPermission(operation: $0, resource: "topic:\(scheduler.configuration.topic)") })
            if scheduler.configuration.producer.idempotent {
                needs.insert(KafkaPermission(operation: "IdempotentWrite", resource: "cluster"))
            }
            return needs
        }
        guard let service = application.services[name] else { throw ComposeFileError(path: name.rawValue, reason: "not built") }
        let settings = service.configuration
        var needs: Set<KafkaPermission> = []
        // The group's topics and the reference topics every instance reads in full (no group).
        for topic in settings.consumer.topics + service.projection.referenceTopics {
            needs.formUnion(["Read", "Describe"].map { KafkaPermission(operation: $0, resource: "topic:\(topic)") })
        }
        needs.formUnion(["Read", "Describe"].map { KafkaPermission(operation: $0, resource: "group:\(settings.consumer.groupID)") })
        var writes = [settings.deadLetterTopic]
        if sendsNotifications(service.projection) { writes.append(NotificationOutbox.topic) }
        writes += service.projection.producedTopics
        for topic in writes {
            needs.formUnion(["Write", "Describe"].map { KafkaPermission(operation: $0, resource: "topic:\(topic)") })
        }
        let producer = settings.producer
        if producer.idempotent || producer.transactionalID != nil {
            needs.insert(KafkaPermission(operation: "IdempotentWrite", resource: "cluster"))
        }
        if let id = producer.transactionalID {
            needs.formUnion(["Write", "Describe"].map { KafkaPermission(operation: $0, resource: "transactional-id:\(id)") })
        }
        return needs
    }

    /// A tool of the compose file (profile `tools`), by its service name: what its commands
    /// read and write (`nil` for a tool this check does not know, which is then reported).
    /// `operator`: `ack` writes a `NotificationAcknowledgement`; `subscriptions add|renew|cancel`
    /// read the subscriptions and the agency directory in full (a topic reader, no group, which
    /// lists the topics first) and write a subscription; `list` reads them. `reviewer`:
    /// `persons link|distinct` write a `PersonDecision` and read `bus.identity` for the index's
    /// verdict (`bus.dead-letters` only where granted, which it is not). Both producers are idempotent.
    static func tool(_ name: String) -> Set<KafkaPermission>? {
        func permissions(_ operations: [String], _ topics: [String]) -> [KafkaPermission] {
            topics.flatMap { topic in operations.map { KafkaPermission(operation: $0, resource: "topic:\(topic)") } }
        }
        let idempotent = KafkaPermission(operation: "IdempotentWrite", resource: "cluster")
        switch name {
        case "operator":
            return Set(permissions(["Write", "Describe"], [NotificationAcknowledgement.topic, BusTopic.subscriptions])
                + permissions(["Read", "Describe"], [BusTopic.subscriptions, DirectoryStore.topic]) + [idempotent])
        case "reviewer":
            return Set(permissions(["Write", "Describe"], [PersonDecision.topic]) + permissions(["Read", "Describe"], [IdentityEvent.topic]) + [idempotent])
        default:
            return nil
        }
    }

    /// `topics apply` (`TopicApplier` through `KafkaAdmin`): on every contract's topic, Describe
    /// (list, metadata), Create, DescribeConfigs and AlterConfigs (align configs), Alter (add
    /// partitions).
    static func topicsJob(catalog: TopicCatalog) -> Set<KafkaPermission> {
        Set(catalog.topics.flatMap { topic in
            ["Create", "Describe", "DescribeConfigs", "AlterConfigs", "Alter"].map { KafkaPermission(operation: $0, resource: "topic:\(topic.name)") }
        })
    }

    /// Whether the projection registers `NotificationOutbox`'s migrations, which every sender of
    /// notifications needs (each id sent once, through the outbox).
    static func sendsNotifications(_ projection: any EventProjection) -> Bool {
        let outbox = Set(NotificationOutbox.migrations.map(\.id))
        return !outbox.isEmpty && Set(projection.migrations.map(\.id)).isSuperset(of: outbox)
    }

    /// `user: …` for each permission a user is granted and does not need, each it needs and is
    /// not granted, and each user granted anything who is no client.
    static func problems(granted: [String: Set<KafkaPermission>], needed: [String: Set<KafkaPermission>]) -> [String] {
        var problems: [String] = []
        for (user, needs) in needed.sorted(by: { $0.key < $1.key }) {
            let grants = granted[user] ?? []
            for missing in needs.subtracting(grants).sorted() { problems.append("\(user): needs \(missing), not granted") }
            for extra in grants.subtracting(needs).sorted() { problems.append("\(user): granted \(extra), which it does not need") }
        }
        for user in granted.keys.sorted() where needed[user] == nil {
            let grants = (granted[user] ?? []).sorted().map(\.description).joined(separator: ", ")
            problems.append("\(user): granted \(grants), but no client of the file logs in as \(user)")
        }
        return problems
    }
}
