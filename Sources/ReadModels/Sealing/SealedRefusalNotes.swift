import ServiceKit
import Storage

/// The events a view's store refused as a sealed record's (``WarrantLedger``: a detainer lodged
/// on a warrant an order removed), noted in the transaction's scratch for ``ViewsProjection`` to
/// count once the stores have applied the event: a store is handed the storage, not the batch's
/// `ProjectionTransaction`, whose counts roll back with the event's changes.
///
/// Filed under the event's id and the transaction's count of rolled-back savepoints, so that a
/// note left by an event whose changes were rolled back is never counted for another.
enum SealedRefusalNotes {
    /// Notes that applying `event` refused it so.
    static func note(_ refusal: SealedRecordRefusal, refusing event: AdmittedEvent, in transaction: any StorageTransaction) {
        let key = key(event, transaction)
        transaction.scratch.store((transaction.scratch.value(key, as: [SealedRecordRefusal].self) ?? []) + [refusal], for: key)
    }

    /// The refusals noted for `event`, forgotten once taken.
    static func take(for event: AdmittedEvent, in transaction: any StorageTransaction) -> [SealedRecordRefusal] {
        let key = key(event, transaction)
        guard let noted = transaction.scratch.value(key, as: [SealedRecordRefusal].self) else { return [] }
        transaction.scratch.store([SealedRecordRefusal](), for: key)
        return noted
    }

    private static func key(_ event: AdmittedEvent, _ transaction: any StorageTransaction) -> String {
        ["sealed-record-refusals", "\(transaction.scratch.rollbacks)", event.eventId].joined(separator: "\u{0}")
    }
}
