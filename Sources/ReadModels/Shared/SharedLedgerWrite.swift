import ServiceKit
import Storage

/// Writes an event into a ledger the views share (``ReleaseLedger/views``,
/// ``WarrantLedger/views``) once a transaction: every view after the first is handed an event
/// already kept, and so already checked. The transaction remembers that it kept it, with which
/// bytes, under its count of rolled-back savepoints (``TransactionScratch/rollbacks``), so an
/// event whose write a savepoint undid is kept again.
enum SharedLedgerWrite {
    /// Runs `keep` unless this transaction already kept `event` (same id, same bytes) into
    /// `table`, and remembers it once `keep` returns.
    static func once(
        _ event: AdmittedEvent, into table: String, _ transaction: any StorageTransaction, _ keep: () throws -> Void
    ) rethrows {
        let key = ["shared-ledger-kept", table, "\(transaction.scratch.rollbacks)", event.eventId].joined(separator: "\u{0}")
        if transaction.scratch.value(key, as: [UInt8].self) == event.value { return }
        try keep()
        transaction.scratch.store(event.value, for: key)
    }
}
