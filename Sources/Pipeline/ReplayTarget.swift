import Kafka
import Logging
import ServiceKit
import Storage

/// Where a replay builds a service's new state beside the current one, and how it swaps the
/// new one in: a SQLite file renamed over the old (`ReplaySQLiteTarget`) or a PostgreSQL schema
/// renamed in one transaction (`ReplayPostgresTarget`).
///
/// The swap happens only while nobody else has the current state open — the service must be
/// stopped — and only when the current state's offsets are still those the new state was
/// built to; otherwise it swaps nothing and says why, and the replay catches up or waits.
protocol ReplayTarget: Sendable {
    /// The current state: a path, or a URL without password and the schema.
    var location: String { get }
    /// Where the new state is built.
    var replayLocation: String { get }

    /// The current state's stored offsets.
    /// - Throws: `ReplayFailure(.noCurrentState)` when there is no current state.
    func currentOffsets() async throws -> [TopicPartition: KafkaOffset]

    /// Removes what a previous replay left, then creates and migrates the new database.
    /// - Throws: `ReplayFailure(.anotherReplay)` when another replay has it open.
    func openFresh(migrations: [StorageMigration]) async throws -> ServiceDatabase

    /// Opens the new database again (after a swap that had to wait).
    func reopen(migrations: [StorageMigration]) async throws -> ServiceDatabase

    /// Whether anybody else has the current state open (a running service, a reader).
    func isInUse() async throws -> Bool

    /// Swaps the new state in, unless the current state is in use or its offsets (of `topics`)
    /// are no longer `goal`. The new database must be closed (all references to it released).
    /// `carry` runs in the swap's transaction before its commit point, with the current state's
    /// schema and the new one's (`EventProjection.carryAcrossReplay`), after the outbox is carried.
    func swap(expecting goal: [TopicPartition: KafkaOffset], topics: Set<String>, carry: @escaping ReplayCarry.Step) async throws -> ReplaySwapOutcome

    /// Removes the new state, if this replay created it. Never touches the current state.
    /// Returns false when it could not be removed.
    func discard() async -> Bool

    /// Releases what the target holds open (connections); the replay's last step.
    func close() async
}

enum ReplaySwapOutcome: Sendable, Equatable {
    case swapped
    /// Somebody else has the current state open.
    case inUse
    /// The current state's offsets moved since the new state reached them.
    case moved
}

enum ReplayOffsets {
    /// The offsets stored in `table` (`kit_offsets`, maybe schema-qualified) for `topics`.
    static func read(_ transaction: any StorageTransaction, table: String, topics: Set<String>? = nil) throws -> [TopicPartition: KafkaOffset] {
        var result: [TopicPartition: KafkaOffset] = [:]
        for row in try transaction.fetchAll("SELECT topic, partition_id, next_offset FROM \(table)") {
            let partition = TopicPartition(topic: try row.get("topic"), partition: try row.get("partition_id", as: Int32.self))
            guard topics?.contains(partition.topic) ?? true else { continue }
            result[partition] = KafkaOffset(try row.get("next_offset", as: Int64.self))
        }
        return result
    }
}

/// How a swap says what it carried from the replaced state (`ServiceDatabase.carryOutbox`):
/// counts only, never a message's content.
enum ReplayCarry {
    /// A projection's own carry (`EventProjection.carryAcrossReplay`): old schema, new schema.
    typealias Step = @Sendable (String, String, any StorageTransaction) throws -> Void

    static func log(_ carried: ServiceDatabase.CarriedOutbox, into location: String, _ logger: Logger) {
        guard carried.waiting > 0 || carried.failed > 0 else { return }
        logger.notice(
            "Carried into the new state what the replaced one had not delivered: the service sends it when started",
            metadata: ["database": "\(location)", "waiting": "\(carried.waiting)", "failed": "\(carried.failed)"])
    }
}
