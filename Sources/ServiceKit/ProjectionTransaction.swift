import GRDB

/// The batch's transaction as a projection sees it: the database, and the outbox.
///
/// Not Sendable: it lives only inside the write closure.
public final class ProjectionTransaction {
    public let db: Database
    /// The largest message the service's producer sends (its `maxMessageBytes`).
    public let maxMessageBytes: Int
    private(set) var emitted = 0
    private(set) var afterCommit: [@Sendable () -> Void] = []

    init(db: Database, maxMessageBytes: Int) {
        self.db = db
        self.maxMessageBytes = maxMessageBytes
    }

    /// Queues `message` in the outbox, in this transaction: it is produced after the commit,
    /// and again after a crash until its delivery is confirmed (receivers de-duplicate by the
    /// `event-id` header).
    ///
    /// - Throws: `PoisonMessage` when the message is larger than the producer can send, so the
    ///   event that caused it is dead-lettered instead of blocking the outbox.
    public func emit(_ message: OutgoingMessage) throws {
        guard message.wireSize <= maxMessageBytes else {
            throw PoisonMessage(reason: "its \(message.topic) message would be larger than the largest message (\(maxMessageBytes) bytes)")
        }
        try ServiceDatabase.appendToOutbox(message, db)
        emitted += 1
    }

    /// Queues a dead letter, already sized to fit (see `DeadLetter`).
    func emitDeadLetter(_ message: OutgoingMessage) throws {
        try ServiceDatabase.appendToOutbox(message, db)
        emitted += 1
    }

    /// Runs `action` once the transaction has committed (e.g. to print what was stored).
    public func afterCommit(_ action: @escaping @Sendable () -> Void) {
        afterCommit.append(action)
    }
}
