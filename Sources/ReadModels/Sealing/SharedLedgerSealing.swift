import ServiceKit
import Storage

/// What sealing one order did so far in a transaction to a ledger the views share
/// (``ReleaseLedger/views``, ``WarrantLedger/views``), for the views that seal it after the
/// first: the numbers its rows paired with the order's before they were removed, and what was
/// removed.
///
/// The views seal one after the other in one transaction. The first to seal a shared ledger
/// removes the person's rows from it; a view after it would find no pairs left there, then
/// miss the person's rows it files under a number only the shared ledger paired, and could not
/// tell which removed records its own derived rows came from. So each view adds the pairs
/// remembered here to what it finds, and gets every record removed for the order so far.
///
/// It records writes, so it is remembered under the transaction's
/// ``TransactionScratch/rollbacks``: a savepoint rolled back since may have put the rows back,
/// and the views then find them again.
struct SharedLedgerSealing {
    struct Pair: Equatable {
        var stateId: String?
        var fbiNumber: String?
    }

    private(set) var pairs: [Pair] = []
    /// The ids of the records removed (a ledger's own kind: release ids for releases).
    var recordIds = Set<String>()
    /// The ids of the events that wrote them.
    var eventIds = Set<String>()

    mutating func note(stateId: String?, fbiNumber: String?) {
        let pair = Pair(stateId: stateId, fbiNumber: fbiNumber)
        if !pairs.contains(pair) { pairs.append(pair) }
    }

    /// Adds to `person` the numbers rows of `table` pair with the order's own, now and as
    /// remembered from before a view removed them (``SealedPerson/addNumbers(pairedIn:_:)``).
    static func addNumbers(pairedIn table: String, to person: inout SealedPerson, _ transaction: any StorageTransaction) throws {
        var sealed = recall(person.order, table: table, in: transaction.scratch)
        for (stateId, fbiNumber) in try person.numbersPaired(in: [table], transaction) {
            sealed.note(stateId: stateId, fbiNumber: fbiNumber)
        }
        for pair in sealed.pairs { person.add(stateId: pair.stateId, fbiNumber: pair.fbiNumber) }
        sealed.remember(person.order, table: table, in: transaction.scratch)
    }

    private static func key(_ order: SealingOrder, _ table: String, _ scratch: TransactionScratch) -> String {
        ["shared-ledger-sealing", table, "\(scratch.rollbacks)", order.eventId].joined(separator: "\u{0}")
    }

    /// What was remembered for `order` and the ledger whose main table is `table`.
    static func recall(_ order: SealingOrder, table: String, in scratch: TransactionScratch) -> SharedLedgerSealing {
        scratch.value(key(order, table, scratch), as: SharedLedgerSealing.self) ?? SharedLedgerSealing()
    }

    func remember(_ order: SealingOrder, table: String, in scratch: TransactionScratch) {
        scratch.store(self, for: Self.key(order, table, scratch))
    }
}
