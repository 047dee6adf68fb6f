import Contracts
import Foundation
import Kafka
import Logging
import PersonIndexService
import PersonIndexStore
import ServiceKit

/// What the running person index made of a decision `persons link|distinct` published: its
/// `bus.identity.decided` event (whose id derives from the decision's), or a dead letter
/// carrying the decision's id and the index's reason. Read from the ends the two topics had
/// before the decision was sent, so nothing older is read and nothing newer is missed.
struct PersonDecisionVerdict {
    enum Outcome {
        /// Applied: the person of the pair's first record after the decision, and the earlier
        /// decision it replaced (from the index's `decided` event).
        case applied(personId: String, supersedes: String?)
        /// Refused, with the reason the dead letter gives.
        case refused(String)
        /// Nothing within the wait (the index is not running, or is behind).
        case noVerdict
    }

    private let reader: KafkaTopicReader
    /// Why `bus.dead-letters` is not watched, when it is not: the user may not read it (the
    /// production reviewers' user may not: it holds every topic's refused messages) or the
    /// cluster lacks it. A refusal then shows as no verdict.
    let refusalsUnseen: String?

    /// Starts reading `bus.identity` and, where this user may, `bus.dead-letters` at their
    /// current ends (concrete offsets, asked before the decision is sent); returns once the
    /// reader stands there. Throws when the cluster does not answer or `bus.identity` cannot be read.
    static func watch(client: KafkaClientConfiguration, timeout: Duration, logger: Logger) async throws -> PersonDecisionVerdict {
        let admin = try KafkaAdmin(configuration: client, timeout: timeout, logger: logger)
        var topics = [BusTopic.identity]
        var ends = try await admin.endOffsets(of: BusTopic.identity)
        var refusalsUnseen: String?
        do {
            ends.merge(try await admin.endOffsets(of: BusTopic.deadLetters)) { $1 }
            topics.append(BusTopic.deadLetters)
        } catch {
            refusalsUnseen = "\(error)"
        }
        let reader = try KafkaTopicReader(
            configuration: KafkaTopicReaderConfiguration(client: client, topics: topics, partitionDiscoveryInterval: nil, metadataTimeout: timeout),
            startingAt: ends, logger: logger)
        try await reader.waitUntilCaughtUp()
        return PersonDecisionVerdict(reader: reader, refusalsUnseen: refusalsUnseen)
    }

    /// Waits up to `limit` for the index's verdict on `decision`; closes the reader.
    func wait(for decision: PersonDecision, upTo limit: Duration) async -> Outcome {
        let decidedId = PersonIndexProjection.eventId(ofDecision: decision.id, event: 0)
        let reader = self.reader
        let outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                do {
                    for try await message in reader.messages {
                        let eventId = message.headers.first { $0.key == EventHeaders.eventId }?.stringValue
                        if message.topicPartition.topic == BusTopic.identity, eventId == decidedId,
                            let decided = try? JSONValue(parsing: message.value), case .string(let personId)? = decided["personId"]
                        {
                            guard case .string(let supersedes)? = decided["supersedes"] else { return .applied(personId: personId, supersedes: nil) }
                            return .applied(personId: personId, supersedes: supersedes)
                        }
                        if message.topicPartition.topic == BusTopic.deadLetters, eventId == decision.id {
                            return .refused(message.headers.first { $0.key == DeadLetter.reasonHeader }?.stringValue ?? "no reason given")
                        }
                    }
                } catch {}
                return .noVerdict
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return .noVerdict
            }
            let first = await group.next() ?? .noVerdict
            _ = await reader.close()  // ends the reading task
            group.cancelAll()  // ends the wait
            return first
        }
        return outcome
    }
}
