import Storage

/// The batch's transaction as a projection sees it: the database (SQLite or PostgreSQL, one
/// SQL for both: see `StorageDialect`), and the outbox.
///
/// Not Sendable: it lives only inside the write closure.
public final class ProjectionTransaction {
    public let storage: any StorageTransaction
    /// The largest message the service's producer sends (its `maxMessageBytes`).
    public let maxMessageBytes: Int
    private(set) var emitted = 0
    /// Messages emitted and not yet written to the outbox table (``flushOutbox()``).
    private var unwritten: [OutgoingMessage] = []
    private(set) var afterCommit: [@Sendable () -> Void] = []
    /// What the projection asked to count, in order; truncated when an event's changes roll back.
    private(set) var counts: [ProjectionCount] = []
    /// What the projection asked to warn of once committed, in order; truncated likewise.
    private(set) var warnings: [ProjectionWarning] = []

    init(storage: any StorageTransaction, maxMessageBytes: Int) {
        self.storage = storage
        self.maxMessageBytes = maxMessageBytes
    }

    /// Queues `message` in the outbox, in this transaction: it is produced after the commit,
    /// and again after a crash until its delivery is confirmed (receivers de-duplicate by the
    /// `event-id` header). The messages are written to the outbox table together, a statement
    /// for up to 512 (``flushOutbox()``), when the batch ends or something reads the table.
    ///
    /// - Throws: `PoisonMessage` when the message is larger than the producer can send, so the
    ///   event that caused it is dead-lettered instead of blocking the outbox.
    public func emit(_ message: OutgoingMessage) throws {
        guard message.wireSize <= maxMessageBytes else {
            throw PoisonMessage(reason: "its \(message.topic) message would be larger than the largest message (\(maxMessageBytes) bytes)")
        }
        unwritten.append(message)
        emitted += 1
    }

    /// Queues a dead letter, already sized to fit (see `DeadLetter`).
    func emitDeadLetter(_ message: OutgoingMessage) {
        unwritten.append(message)
        emitted += 1
    }

    /// Writes the messages emitted so far to the outbox table, in order. The batch does so
    /// before it reads the table back and before a sealing order removes messages from it;
    /// anything else that reads `kit_outbox` in the transaction must call it first.
    ///
    /// Not inside an event's savepoint while earlier events' messages wait: a rollback of that
    /// savepoint would take them too. (The batch writes them before a sealing order's savepoint;
    /// inside it, only the order's own are left.)
    public func flushOutbox() throws {
        guard !unwritten.isEmpty else { return }
        try ServiceDatabase.appendToOutbox(unwritten, storage)
        unwritten.removeAll(keepingCapacity: true)
    }

    /// Runs `action` once the transaction has committed (e.g. to print what was stored).
    public func afterCommit(_ action: @escaping @Sendable () -> Void) {
        afterCommit.append(action)
    }

    /// Adds one to the counter `label{service, dimensions…}` once the batch has committed, and
    /// not at all when the event's changes roll back (a poison message) or the batch fails: the
    /// count says what is durable, as the outbox does.
    ///
    /// Dimensions must be bounded sets (rule codes, enumerations), never values of an event:
    /// a value that is not a short code (lowercase letters, digits, `.`, `_`, `-`, at most 64
    /// characters) is counted as `other`, so a person's name or id can never become a label.
    public func countOnCommit(_ label: String, dimensions: [(name: String, value: String)]) {
        counts.append(ProjectionCount(
            label: label,
            dimensions: dimensions.map { ProjectionCount.Dimension(name: $0.name, value: ProjectionCount.boundedValue($0.value)) }))
    }

    /// Logs `warning` as a warning once the batch has committed, and not at all when the
    /// event's changes roll back or the batch fails: for a setting the projection's data has
    /// outgrown while it runs (``EventProjection/warningsAtStart(in:)`` checks at start). No
    /// personal data in a warning.
    public func warnOnCommit(_ warning: ProjectionWarning) {
        warnings.append(warning)
    }

    /// The labels asked to be counted so far in this transaction, in order (for tests: what
    /// ``countOnCommit(_:dimensions:)`` will count if the transaction commits).
    var countedLabels: [String] { counts.map(\.label) }

    /// Where the counts and the warnings stand, to roll back to when an event's changes are
    /// rolled back.
    struct Mark {
        let counts: Int
        let warnings: Int
        /// Messages not yet written then: those after it are the rolled-back event's (the batch
        /// writes none between a mark and its rollback but the event's own: ``flushOutbox()``).
        let unwritten: Int
    }

    var mark: Mark { Mark(counts: counts.count, warnings: warnings.count, unwritten: unwritten.count) }

    func rollBack(to mark: Mark) {
        if mark.counts < counts.count { counts.removeSubrange(mark.counts...) }
        if mark.warnings < warnings.count { warnings.removeSubrange(mark.warnings...) }
        if mark.unwritten < unwritten.count { unwritten.removeSubrange(mark.unwritten...) }
    }
}

extension ProjectionCount {
    /// `value` when it is a short code, `other` otherwise.
    static func boundedValue(_ value: String) -> String {
        let allowed = value.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        return allowed && !value.isEmpty && value.utf8.count <= 64 ? value : "other"
    }
}
