import Contracts
import ServiceKit
import Storage

/// Whether a person an event names only in its payload (a violent incident's victims and
/// suspects, an investigation's persons of interest) is covered by a sealing order already
/// applied, so that a store does not keep them.
///
/// The runtime does not apply an event whose subject an order covers (`SealedRecordCheck`);
/// it cannot see into payloads, so each store that keeps such people asks here, person by
/// person, at the event's `occurredAt`: an order recorded after the event occurred covers
/// them (a late delivery, a replay); an event that occurred after the order is a new record.
/// Such people are named by state ID or (version 2 of a violent incident) FBI number; one named
/// by neither cannot be checked (nor matched by any view on a number) and is kept as the store
/// keeps them.
struct SealedMentions {
    /// Nil when no order was ever applied (nothing to check).
    private let ledger: SealingLedger?
    private let occurredAt: Int64

    /// The check for an event that occurred at `occurredAt` (milliseconds since 1970, as
    /// ``ViewTime`` and the orders keep it); reads once whether any order was applied, so that
    /// events are not slowed before the first order.
    init(_ transaction: any StorageTransaction, occurredAt: Int64) throws {
        let ledger = SealingLedger(transaction)
        self.ledger = try ledger.hasOrders() ? ledger : nil
        self.occurredAt = occurredAt
    }

    /// Whether an applied order covers `person`'s records of that time.
    func covers(_ person: InvolvedPerson) throws -> Bool {
        let stateId = PersonKey.nonEmpty(person.stateId), fbiNumber = PersonKey.nonEmpty(person.fbiNumber)
        guard let ledger, stateId != nil || fbiNumber != nil else { return false }
        return try ledger.covers(stateId: stateId, fbiNumber: fbiNumber, occurredAtMilliseconds: occurredAt)
    }

    /// `people` without those an applied order covers.
    func uncovered(_ people: [InvolvedPerson]) throws -> [InvolvedPerson] {
        var kept: [InvolvedPerson] = []
        for person in people {
            if try !covers(person) { kept.append(person) }
        }
        return kept
    }
}
